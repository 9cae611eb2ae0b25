import { readFile, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DEFAULT_PROFILE, defaultTokenFilePath, type Env } from '../config/env.js';
import { KeychainUnavailableError, TokenStoreError } from '../errors.js';
import { atomicWrite, ensureFolder } from './atomic-file.js';
import {
  fromDocument,
  type KeychainReference,
  keychainReferenceOf,
  parseDocument,
  type StoredTokens,
  splitSecrets,
  type TokenFileDocument,
  toDocument,
} from './format.js';
import { type Keychain, openKeychain } from './keychain.js';
import { acquireFileLock } from './lock.js';
import { createSealer, type PassphraseSource } from './sealing.js';

/**
 * Receives human-readable warnings (corrupt files, loose permissions). Never passed a secret.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, type WarningHandler } from '@gatehouse/client';
 * const onWarning: WarningHandler = (message) => console.error(`warning: ${message}`);
 * const store = createFileTokenStore({ onWarning });
 * ```
 */
export type WarningHandler = (message: string) => void;

/**
 * Options of {@link createFileTokenStore}.
 *
 * @example
 * ```ts
 * import type { FileTokenStoreOptions } from '@gatehouse/client';
 * const options: FileTokenStoreOptions = { profile: 'staging', issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' };
 * ```
 */
export interface FileTokenStoreOptions {
  /** The token file. Default: `$GATEHOUSE_TOKEN_FILE`, else `~/.gatehouse/tokens/<profile>.json`. */
  path?: string;
  /** The profile, for the default path. Default `default`. */
  profile?: string;
  /** When set, a file written for another issuer is treated as absent (with a warning). */
  issuer?: string;
  /** When set, a file written for another client id is treated as absent (with a warning). */
  clientId?: string;
  /** Encrypt the refresh token at rest. Default: true when `passphrase` is given. */
  encrypt?: boolean;
  /** The passphrase (or a prompt) for the refresh token; asked for only when needed. */
  passphrase?: PassphraseSource;
  /** Where warnings go. Default `process.emitWarning`. */
  onWarning?: WarningHandler;
  /** The environment for the default path. Default `process.env`. */
  env?: Env;
  /**
   * Keep the secrets (access, ID and refresh tokens, named secrets) in this OS keychain (see
   * {@link openKeychain}); the file then holds only the other fields and where the secrets are. If the keychain
   * refuses a write, the tokens go to the file instead, with a warning. Files written with a keychain are read
   * back whether or not this is set.
   */
  keychain?: Keychain;
}

/**
 * What `status` may show: no token values, only facts about them.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, type TokenFileSummary } from '@gatehouse/client';
 * const summary: TokenFileSummary | undefined = await createFileTokenStore().inspect();
 * console.log(summary?.refreshToken); // 'present' | 'encrypted' | 'absent'
 * ```
 */
export interface TokenFileSummary {
  path: string;
  issuer: string;
  clientId: string;
  grantType?: string;
  audience?: string;
  scope?: string;
  expiresAt?: number;
  obtainedAt: number;
  /** The ID token, to show who is logged in (its claims, never the token itself). */
  idToken?: string;
  /** The access token, for callers that decode its claims (`sub`); never printed by the CLI. */
  accessToken: string;
  refreshToken: 'absent' | 'present' | 'encrypted';
  /** The names of the named secrets kept with the tokens (`dpop_key`…), never their values. */
  secrets: string[];
  /** Where the secrets are: in the file, or in the OS keychain (named). */
  storage: 'file' | 'keychain';
  /** The keychain's name, when `storage` is `keychain`. */
  keychain?: string;
}

/**
 * Persistent storage of one profile's tokens.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, type TokenStore } from '@gatehouse/client';
 * const store: TokenStore = createFileTokenStore({ profile: 'dev' });
 * await store.withLock(async () => (await store.read())?.accessToken);
 * ```
 */
export interface TokenStore {
  /** The token file. */
  readonly path: string;
  /**
   * Reads the tokens, decrypting the refresh token (and named secrets) when encrypted, and fetching them
   * from the keychain when the file says they are there. A missing, corrupt or foreign file reads as
   * `undefined` (with a warning for the latter two).
   * @throws {@link PassphraseRequiredError} when the refresh token is encrypted and there is no passphrase.
   * @throws {@link WrongPassphraseError} when the passphrase does not decrypt it.
   * @throws {@link KeychainUnavailableError} when the secrets are in a keychain that cannot be reached.
   */
  read(): Promise<StoredTokens | undefined>;
  /** Like `read` but never decrypts: facts for `status`. */
  inspect(): Promise<TokenFileSummary | undefined>;
  /**
   * Writes atomically (temp file in the same folder, fsync, rename), mode 0600 in a 0700 folder; the
   * secrets go to the keychain first when the store has one.
   */
  write(tokens: StoredTokens): Promise<void>;
  /** Deletes the file (and its keychain entries); resolves `true` when there was one. */
  remove(): Promise<boolean>;
  /** Runs `fn` holding the cross-process lock of this file (`<file>.lock`). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * A token store backed by one JSON file per profile, optionally with the secrets in the OS keychain.
 *
 * @example
 * ```ts
 * import { createFileTokenStore } from '@gatehouse/client';
 *
 * const store = createFileTokenStore({
 *   profile: 'default',
 *   passphrase: process.env.GATEHOUSE_TOKEN_PASSPHRASE, // optional: encrypts the refresh token
 * });
 * const tokens = await store.read();
 * ```
 */
export function createFileTokenStore(options: FileTokenStoreOptions = {}): TokenStore {
  const path = resolve(options.path ?? defaultTokenFilePath(options.profile ?? DEFAULT_PROFILE, options.env));
  const dir = dirname(path);
  const warn: WarningHandler = options.onWarning ?? ((m) => process.emitWarning(m, 'GatehouseWarning'));
  const sealer = createSealer(path, options.passphrase);
  let sawEncrypted = false;

  /** The keychain that holds a file's secrets: the store's own, else the platform's. */
  const keychainFor = async (): Promise<Keychain> => {
    if (options.keychain) return options.keychain;
    const probe = await openKeychain();
    if (!probe.ok) throw new KeychainUnavailableError(probe.name, path, new Error(probe.reason));
    return probe.keychain;
  };

  /** The file's JSON, `undefined` when absent; `null` when it is not JSON. */
  const readJson = async (): Promise<unknown> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new TokenStoreError(path, 'read', err);
    }
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  };

  /** The whole document, with the secrets fetched from the keychain when they are there. */
  const loadDocument = async (): Promise<{ doc: TokenFileDocument; keychain?: string } | undefined> => {
    let json = await readJson();
    if (json === undefined) return undefined;
    if (json === null) {
      warn(`Ignoring the token file ${path}: it is not valid JSON (corrupt?). Log in again to replace it.`);
      return undefined;
    }
    const ref = keychainReferenceOf(json);
    let keychainName: string | undefined;
    if (ref) {
      const keychain = await keychainFor();
      keychainName = keychain.name;
      let secrets: string | undefined;
      try {
        secrets = await keychain.read(ref);
      } catch (err) {
        throw new KeychainUnavailableError(keychain.name, path, err);
      }
      if (secrets === undefined) {
        warn(
          `Ignoring the token file ${path}: its tokens are missing from the ${keychain.name}. Log in again.`,
        );
        return undefined;
      }
      const { keychain: _ref, ...rest } = json as Record<string, unknown>;
      try {
        json = { ...rest, ...(JSON.parse(secrets) as object) };
      } catch {
        json = rest;
      }
    }
    const doc = parseDocument(json);
    if (typeof doc === 'string') {
      warn(`Ignoring the token file ${path}: ${doc}. Log in again to replace it.`);
      return undefined;
    }
    if (options.issuer !== undefined && doc.issuer !== options.issuer) {
      warn(`Ignoring the token file ${path}: it belongs to issuer ${doc.issuer}, not ${options.issuer}.`);
      return undefined;
    }
    if (options.clientId !== undefined && doc.client_id !== options.clientId) {
      warn(
        `Ignoring the token file ${path}: it belongs to client ${doc.client_id}, not ${options.clientId}.`,
      );
      return undefined;
    }
    if (doc.refresh_token_encrypted || doc.secrets_encrypted) sawEncrypted = true;
    return keychainName ? { doc, keychain: keychainName } : { doc };
  };

  /** Quietly: whether the file on disk (or its keychain part) holds encrypted secrets. */
  const encryptedOnDisk = async (): Promise<boolean> => {
    if (sawEncrypted) return true;
    try {
      let json = (await readJson()) as Record<string, unknown> | null | undefined;
      const ref = keychainReferenceOf(json);
      if (ref) json = JSON.parse((await (await keychainFor()).read(ref)) ?? '{}');
      sawEncrypted = Boolean(json?.refresh_token_encrypted || json?.secrets_encrypted);
    } catch {
      // Unreadable: nothing known to keep encrypted.
    }
    return sawEncrypted;
  };

  /** Deletes the keychain entries of a file that is being replaced or removed (best effort). */
  const forget = async (ref: KeychainReference | undefined, keep?: KeychainReference): Promise<void> => {
    if (!ref || ref.generation === keep?.generation) return;
    try {
      await (await keychainFor()).remove(ref);
    } catch (err) {
      warn(`Could not delete the old tokens of ${path} from the keychain: ${(err as Error).message}`);
    }
  };

  const store: TokenStore = {
    path,

    async read() {
      const loaded = await loadDocument();
      if (!loaded) return undefined;
      return { ...fromDocument(loaded.doc), ...(await sealer.open(loaded.doc)) };
    },

    async inspect() {
      const loaded = await loadDocument();
      if (!loaded) return undefined;
      const { doc } = loaded;
      const { tokenType: _tokenType, ...facts } = fromDocument(doc);
      return {
        path,
        ...facts,
        refreshToken: doc.refresh_token_encrypted ? 'encrypted' : doc.refresh_token ? 'present' : 'absent',
        secrets: [...Object.keys(doc.secrets ?? {}), ...Object.keys(doc.secrets_encrypted ?? {})].sort(),
        storage: loaded.keychain ? 'keychain' : 'file',
        ...(loaded.keychain ? { keychain: loaded.keychain } : {}),
      };
    },

    async write(tokens) {
      // "Once a file is encrypted it stays encrypted", also for a store that writes without reading first.
      const encrypt = (options.encrypt ?? options.passphrase !== undefined) || (await encryptedOnDisk());
      const doc = toDocument(tokens, encrypt ? await sealer.close(tokens) : {});
      const previous = keychainReferenceOf(await readJson().catch(() => undefined));
      let body: object = doc;
      let ref: KeychainReference | undefined;
      if (options.keychain) {
        const { rest, secrets } = splitSecrets(doc);
        try {
          ref = await options.keychain.write(path, JSON.stringify(secrets));
          body = { ...rest, keychain: ref };
        } catch (err) {
          warn(
            `The ${options.keychain.name} refused the tokens (${(err as Error).message}); they are kept in the file ${path} instead.`,
          );
        }
      }
      await ensureFolder(dir, warn);
      try {
        await atomicWrite(path, `${JSON.stringify(body, null, 2)}\n`);
      } catch (err) {
        if (ref) await forget(ref);
        throw err;
      }
      await forget(previous, ref);
    },

    async remove() {
      const ref = keychainReferenceOf(await readJson().catch(() => undefined));
      try {
        await unlink(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw new TokenStoreError(path, 'delete', err);
      }
      await forget(ref);
      return true;
    },

    async withLock(fn) {
      await ensureFolder(dir, warn);
      const release = await acquireFileLock(path, warn);
      try {
        return await fn();
      } finally {
        await release();
      }
    },
  };
  return store;
}
