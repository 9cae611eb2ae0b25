import { calculateJwkThumbprint, type JWK } from 'jose';
import type { TokenStore, WarningHandler } from '../store/file-token-store.js';
import type { StoredTokens } from '../store/format.js';
import type { PassphraseSource } from '../store/sealing.js';
import { type DpopAlgorithm, type DpopKey, exportDpopKey, generateDpopKey, importDpopKey } from './key.js';
import { readDpopKeyFile, removeDpopKey } from './key-file.js';

/**
 * The name of the DPoP private key among a stored login's named secrets (`StoredTokens.secrets`): kept
 * exactly like the refresh token (in clear in the 0600 file, sealed with the passphrase, or in the keychain).
 *
 * @example
 * ```ts
 * import { createFileTokenStore, DPOP_KEY_SECRET } from '@gatehouse/client';
 * const bound = Boolean((await createFileTokenStore().read())?.secrets?.[DPOP_KEY_SECRET]);
 * ```
 */
export const DPOP_KEY_SECRET = 'dpop_key';

/**
 * Options of {@link openStoredDpopKey}.
 *
 * @example
 * ```ts
 * import type { StoredDpopKeyOptions } from '@gatehouse/client';
 * const options: StoredDpopKeyOptions = { issuer: 'https://idp.example.com', clientId: 'gatehouse-cli', create: true };
 * ```
 */
export interface StoredDpopKeyOptions {
  /** The login's issuer and client: a key file of an earlier version is adopted only when it names them. */
  issuer: string;
  clientId: string;
  /** Make a new key when the stored login has none. Default false (then `undefined` is returned). */
  create?: boolean;
  /** The algorithm of a new key. Default ES256. */
  alg?: DpopAlgorithm;
  /** The passphrase of an encrypted key file of an earlier version (the refresh token's). */
  passphrase?: PassphraseSource;
  /** Where warnings go. Default `process.emitWarning`. */
  onWarning?: WarningHandler;
}

/**
 * A DPoP key and the token store that keeps it with the tokens bound to it.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, openStoredDpopKey, type StoredDpopKey } from '@gatehouse/client';
 * const found: StoredDpopKey | undefined = await openStoredDpopKey(createFileTokenStore(), { issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' });
 * ```
 */
export interface StoredDpopKey {
  readonly key: DpopKey;
  /** The store, bound to the key: see {@link bindDpopKeyToStore}. */
  readonly store: TokenStore;
}

/**
 * The DPoP key of a stored login, kept with its tokens as the named secret {@link DPOP_KEY_SECRET}, so that
 * the key lives (and is encrypted, or kept in the OS keychain) exactly like the refresh token and goes with
 * the tokens when they are removed. A stored login without one whose tokens are DPoP-bound adopts the key
 * an earlier version kept beside the token file (`<name>.dpop.json`): it is moved into the store and the
 * file deleted. Without a key: a new one with `create`, else `undefined`. Give the returned store to the
 * token source, and the key to `createOidcClient({ dpop })`.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, createOidcClient, createUserTokenSource, openStoredDpopKey } from '@gatehouse/client';
 * const issuer = 'https://idp.example.com';
 * const clientId = 'gatehouse-cli';
 * const found = await openStoredDpopKey(createFileTokenStore({ issuer, clientId }), { issuer, clientId, create: true });
 * const client = createOidcClient({ issuer, clientId, dpop: found?.key });
 * const source = createUserTokenSource(client, { store: found!.store });
 * ```
 */
export async function openStoredDpopKey(
  store: TokenStore,
  options: StoredDpopKeyOptions,
): Promise<StoredDpopKey | undefined> {
  const stored = await store.read();
  const saved = stored?.secrets?.[DPOP_KEY_SECRET];
  let key: DpopKey | undefined;
  if (saved !== undefined) {
    key = await importDpopKey(saved).catch(() => undefined);
    if (!key)
      warnOf(options)(`The DPoP key stored in ${store.path} cannot be read; a new login replaces it.`);
  } else if (stored && isDpopBound(stored)) {
    key = await adoptKeyFile(store, options);
  }
  if (!key && !options.create) return undefined;
  key ??= await generateDpopKey(options.alg);
  return { key, store: await bindDpopKeyToStore(store, key, options) };
}

/**
 * A view of `store` bound to `key`: every token set it writes carries the key (named secret
 * {@link DPOP_KEY_SECRET}), and stored tokens bound to another key, or to none, read as absent (with a
 * warning), so that they are replaced rather than sent with proofs they cannot match.
 *
 * @example
 * ```ts
 * import { bindDpopKeyToStore, createFileTokenStore, generateDpopKey } from '@gatehouse/client';
 * const key = await generateDpopKey();
 * const store = await bindDpopKeyToStore(createFileTokenStore({ profile: 'svc' }), key);
 * ```
 */
export async function bindDpopKeyToStore(
  store: TokenStore,
  key: DpopKey,
  options: Pick<StoredDpopKeyOptions, 'onWarning'> = {},
): Promise<TokenStore> {
  const serialized = await exportDpopKey(key);
  const warn = warnOf(options);
  let warned = false;
  return {
    path: store.path,
    async read() {
      const tokens = await store.read();
      const saved = tokens?.secrets?.[DPOP_KEY_SECRET];
      if (!tokens || saved === serialized || (saved && (await thumbprintOf(saved)) === key.thumbprint)) {
        return tokens;
      }
      if (!warned) {
        warned = true;
        warn(
          `Ignoring the tokens in ${store.path}: they are not bound to the DPoP key in use; new ones replace them.`,
        );
      }
      return undefined;
    },
    inspect: () => store.inspect(),
    write: (tokens) =>
      store.write({ ...tokens, secrets: { ...tokens.secrets, [DPOP_KEY_SECRET]: serialized } }),
    remove: () => store.remove(),
    withLock: (fn) => store.withLock(fn),
  };
}

/** Whether the tokens were issued DPoP-bound (`token_type` DPoP, RFC 9449 §5). */
function isDpopBound(tokens: StoredTokens): boolean {
  return tokens.tokenType.toLowerCase() === 'dpop';
}

/** Moves the key of `<name>.dpop.json` (written by an earlier version) into the store, when it is there. */
async function adoptKeyFile(store: TokenStore, options: StoredDpopKeyOptions): Promise<DpopKey | undefined> {
  const key = await readDpopKeyFile({
    tokenFile: store.path,
    issuer: options.issuer,
    clientId: options.clientId,
    ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
  }).catch((err: unknown) => {
    warnOf(options)(`The DPoP key file beside ${store.path} cannot be read (${(err as Error).message}).`);
    return undefined;
  });
  if (!key) return undefined;
  const bound = await bindDpopKeyToStore(store, key, options);
  await store.withLock(async () => {
    const current = await store.read();
    if (current && !current.secrets?.[DPOP_KEY_SECRET]) await bound.write(current);
  });
  await removeDpopKey(store.path);
  return key;
}

/** The RFC 7638 thumbprint of a key written by `exportDpopKey`, or undefined when it is not one. */
async function thumbprintOf(serialized: string): Promise<string | undefined> {
  try {
    const jwk = JSON.parse(serialized) as JWK;
    const members: JWK =
      jwk.kty === 'RSA'
        ? { kty: 'RSA', e: jwk.e, n: jwk.n }
        : jwk.kty === 'EC'
          ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }
          : { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
    return await calculateJwkThumbprint(members);
  } catch {
    return undefined;
  }
}

function warnOf(options: Pick<StoredDpopKeyOptions, 'onWarning'>): WarningHandler {
  return options.onWarning ?? ((m) => process.emitWarning(m, 'GatehouseWarning'));
}
