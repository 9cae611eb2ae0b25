import { readFile, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DEFAULT_PROFILE, defaultTokenFilePath, type Env } from '../config/env.js';
import { PassphraseRequiredError, TokenStoreError, WrongPassphraseError } from '../errors.js';
import { atomicWrite, ensureFolder } from './atomic-file.js';
import { type DerivedKey, deriveKey, seal, unseal } from './crypto.js';
import { fromDocument, parseDocument, type StoredTokens, sealAad, toDocument } from './format.js';
import { acquireFileLock } from './lock.js';

/**
 * A passphrase, or a function that produces one (a prompt) the first time it is needed.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, type PassphraseSource } from '@gatehouse/client';
 * const passphrase: PassphraseSource = async () => process.env.MY_PASSPHRASE ?? '';
 * const store = createFileTokenStore({ passphrase });
 * ```
 */
export type PassphraseSource = string | (() => string | Promise<string>);

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
   * Reads the tokens, decrypting the refresh token when it is encrypted. A missing, corrupt or foreign file
   * reads as `undefined` (with a warning for the latter two).
   * @throws {@link PassphraseRequiredError} when the refresh token is encrypted and there is no passphrase.
   * @throws {@link WrongPassphraseError} when the passphrase does not decrypt it.
   */
  read(): Promise<StoredTokens | undefined>;
  /** Like `read` but never decrypts: facts for `status`. */
  inspect(): Promise<TokenFileSummary | undefined>;
  /** Writes atomically (temp file in the same folder, fsync, rename), mode 0600 in a 0700 folder. */
  write(tokens: StoredTokens): Promise<void>;
  /** Deletes the file; resolves `true` when there was one. */
  remove(): Promise<boolean>;
  /** Runs `fn` holding the cross-process lock of this file (`<file>.lock`). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * A token store backed by one JSON file per profile.
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
  let passphrase: Promise<string> | undefined;
  let writeKey: DerivedKey | undefined; // reused for writes in this process, with a fresh IV each time
  const readKeys = new Map<string, Buffer>(); // salt → key, so re-reading a file does not re-derive
  let sawEncrypted = false;

  const getPassphrase = async (): Promise<string> => {
    const source = options.passphrase;
    if (source === undefined || source === '') throw new PassphraseRequiredError(path);
    passphrase ??= Promise.resolve(typeof source === 'function' ? source() : source).then((value) => {
      if (!value) throw new PassphraseRequiredError(path);
      return value;
    });
    passphrase.catch(() => {
      passphrase = undefined;
    });
    return passphrase;
  };

  const loadDocument = async () => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new TokenStoreError(path, 'read', err);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      warn(`Ignoring the token file ${path}: it is not valid JSON (corrupt?). Log in again to replace it.`);
      return undefined;
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
    return doc;
  };

  const encryptedOnDisk = async (): Promise<boolean> => {
    try {
      const doc = JSON.parse(await readFile(path, 'utf8')) as { refresh_token_encrypted?: unknown };
      sawEncrypted = Boolean(doc?.refresh_token_encrypted);
    } catch {
      // No file, or not JSON: nothing to keep encrypted.
    }
    return sawEncrypted;
  };

  const store: TokenStore = {
    path,

    async read() {
      const doc = await loadDocument();
      if (!doc) return undefined;
      const tokens = fromDocument(doc);
      if (doc.refresh_token) tokens.refreshToken = doc.refresh_token;
      const sealed = doc.refresh_token_encrypted;
      if (sealed) {
        sawEncrypted = true;
        const secret = await getPassphrase();
        let key = readKeys.get(sealed.salt);
        if (!key) {
          key = (await deriveKey(secret, Buffer.from(sealed.salt, 'base64url'), sealed.iterations)).key;
          readKeys.set(sealed.salt, key);
        }
        const plain = unseal(sealed, key, sealAad(doc.issuer, doc.client_id));
        if (plain === undefined) throw new WrongPassphraseError(path);
        tokens.refreshToken = plain;
      }
      return tokens;
    },

    async inspect() {
      const doc = await loadDocument();
      if (!doc) return undefined;
      const { tokenType: _tokenType, ...facts } = fromDocument(doc);
      return {
        path,
        ...facts,
        refreshToken: doc.refresh_token_encrypted ? 'encrypted' : doc.refresh_token ? 'present' : 'absent',
      };
    },

    async write(tokens) {
      // "Once a file is encrypted it stays encrypted", also for a store that writes without reading first.
      const encrypt =
        (options.encrypt ?? options.passphrase !== undefined) || sawEncrypted || (await encryptedOnDisk());
      let sealed: ReturnType<typeof seal> | undefined;
      if (encrypt && tokens.refreshToken) {
        const secret = await getPassphrase();
        writeKey ??= await deriveKey(secret);
        readKeys.set(writeKey.salt.toString('base64url'), writeKey.key);
        sealed = seal(tokens.refreshToken, writeKey, sealAad(tokens.issuer, tokens.clientId));
      }
      const body = `${JSON.stringify(toDocument(tokens, sealed), null, 2)}\n`;
      await ensureFolder(dir, warn);
      await atomicWrite(path, body);
    },

    async remove() {
      try {
        await unlink(path);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw new TokenStoreError(path, 'delete', err);
      }
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
