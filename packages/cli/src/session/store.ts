import {
  createFileTokenStore,
  type Keychain,
  openKeychain,
  type PassphraseSource,
  passphraseFromEnv,
  type TokenStore,
} from '@gatehouse/client';
import type { Settings } from '../config/settings.js';
import type { CliIO } from '../io.js';
import { promptHidden } from '../ui/prompt.js';
import { say, storeWarner } from './output.js';

const prompts = new WeakMap<CliIO, () => Promise<string>>();

/**
 * The refresh-token passphrase: the environment, else a prompt when someone can answer, asked at most once
 * per command (the token store, the exchange's store and an older DPoP key file share the answer).
 */
export function passphraseSource(io: CliIO): PassphraseSource | undefined {
  const fromEnv = passphraseFromEnv(io.env);
  if (fromEnv) return fromEnv;
  if (!io.interactive) return undefined;
  let prompt = prompts.get(io);
  if (!prompt) {
    let answer: Promise<string> | undefined;
    prompt = () => {
      answer ??= promptHidden(io, 'Passphrase for the refresh token: ');
      return answer;
    };
    prompts.set(io, prompt);
  }
  return prompt;
}

/** Whether a refresh token written now is encrypted: `--encrypt` (or the profile), or a passphrase in the env. */
export function encryptsRefreshToken(settings: Settings, io: CliIO): boolean {
  return settings.encryptRefreshToken || passphraseFromEnv(io.env) !== undefined;
}

const keychains = new WeakMap<CliIO, Promise<Keychain | undefined>>();

/**
 * The keychain for `--token-storage keychain`, once per command. When none is reachable the command says so
 * on one stderr line, naming the keychain and the file used instead, and the tokens go to the token file.
 */
export function keychainFor(settings: Settings, io: CliIO): Promise<Keychain | undefined> {
  if (settings.tokenStorage !== 'keychain') return Promise.resolve(undefined);
  let pending = keychains.get(io);
  if (!pending) {
    pending = openKeychain().then((probe) => {
      if (probe.ok) return probe.keychain;
      say(
        io,
        `warning: the ${probe.name} keychain is not reachable (${probe.reason}); tokens are kept in the file ${settings.tokenFile} instead.`,
      );
      return undefined;
    });
    keychains.set(io, pending);
  }
  return pending;
}

/** The token store of the profile, expecting tokens of the configured issuer and client when known. */
export async function openStore(settings: Settings, io: CliIO): Promise<TokenStore> {
  const passphrase = passphraseSource(io);
  const keychain = await keychainFor(settings, io);
  return createFileTokenStore({
    path: settings.tokenFile,
    ...(settings.issuer ? { issuer: settings.issuer } : {}),
    ...(settings.clientId ? { clientId: settings.clientId } : {}),
    encrypt: encryptsRefreshToken(settings, io),
    ...(passphrase ? { passphrase } : {}),
    ...(keychain ? { keychain } : {}),
    onWarning: storeWarner(io),
  });
}

/** A store that only reads what is there (status, logout): no issuer check, no encryption choice. */
export function openStoreForReading(path: string, io: CliIO): TokenStore {
  const passphrase = passphraseSource(io);
  return createFileTokenStore({ path, ...(passphrase ? { passphrase } : {}), onWarning: storeWarner(io) });
}
