import { readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassphraseRequiredError, TokenStoreError, WrongPassphraseError } from '../errors.js';
import { atomicWrite, ensureFolder } from '../store/atomic-file.js';
import { deriveKey, isSealedSecret, type SealedSecret, seal, unseal } from '../store/crypto.js';
import type { PassphraseSource } from '../store/sealing.js';
import { type DpopAlgorithm, type DpopKey, exportDpopKey, generateDpopKey, importDpopKey } from './key.js';

/**
 * Options of {@link loadDpopKey}: the token file the key belongs with, and how it is protected.
 *
 * @example
 * ```ts
 * import type { DpopKeyFileOptions } from '@gatehouse/client';
 * const options: DpopKeyFileOptions = { tokenFile: '/home/me/.gatehouse/tokens/default.json', issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' };
 * ```
 */
export interface DpopKeyFileOptions {
  /** The token file; the key is kept beside it, in `<name>.dpop.json`. */
  tokenFile: string;
  /** The issuer and client the key's tokens come from (bound into the encryption, checked on load). */
  issuer: string;
  clientId: string;
  /** Encrypt the key at rest, as the refresh token is. Default: true when `passphrase` is given. */
  encrypt?: boolean;
  /** The passphrase (or a prompt): the refresh token's. */
  passphrase?: PassphraseSource;
  /** The algorithm of a new key. Default ES256. */
  alg?: DpopAlgorithm;
}

interface KeyFile {
  readonly version: 1;
  readonly issuer: string;
  readonly clientId: string;
  /** The key's thumbprint, public: shows which key a token is bound to without decrypting. */
  readonly jkt: string;
  /** The private key (a JSON string), when not encrypted. */
  readonly key?: string;
  readonly sealedKey?: SealedSecret;
}

/**
 * Where the DPoP key of a token file is kept.
 *
 * @example
 * ```ts
 * import { dpopKeyPath } from '@gatehouse/client';
 * dpopKeyPath('/home/me/.gatehouse/tokens/default.json'); // '/home/me/.gatehouse/tokens/default.dpop.json'
 * ```
 */
export function dpopKeyPath(tokenFile: string): string {
  return tokenFile.endsWith('.json') ? `${tokenFile.slice(0, -5)}.dpop.json` : `${tokenFile}.dpop.json`;
}

/**
 * The DPoP key kept with a token file, made (and written, 0600 and atomically) on first use. Encrypted at
 * rest like the refresh token (AES-256-GCM under a PBKDF2 key from the passphrase, bound to issuer and
 * client). A key written for another issuer or client is replaced by a new one: tokens bound to it could
 * not be used anyway.
 *
 * @example
 * ```ts
 * import { createOidcClient, loadDpopKey } from '@gatehouse/client';
 * const dpop = await loadDpopKey({ tokenFile: '/home/me/.gatehouse/tokens/default.json', issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' });
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-cli', dpop });
 * ```
 */
export async function loadDpopKey(options: DpopKeyFileOptions): Promise<DpopKey> {
  const path = dpopKeyPath(options.tokenFile);
  const aad = keyAad(options.issuer, options.clientId);
  const existing = await readDpopKeyFile(options);
  if (existing !== undefined) return existing;
  const key = await generateDpopKey(options.alg);
  const serialized = await exportDpopKey(key);
  const encrypt = options.encrypt ?? options.passphrase !== undefined;
  const document: KeyFile = encrypt
    ? {
        version: 1,
        issuer: options.issuer,
        clientId: options.clientId,
        jkt: key.thumbprint,
        sealedKey: seal(serialized, await deriveKey(await passphraseOf(options.passphrase, path)), aad),
      }
    : {
        version: 1,
        issuer: options.issuer,
        clientId: options.clientId,
        jkt: key.thumbprint,
        key: serialized,
      };
  await ensureFolder(dirname(path), () => {});
  await atomicWrite(path, `${JSON.stringify(document, null, 2)}\n`);
  return key;
}

/**
 * Deletes the DPoP key of a token file (at logout: the tokens bound to it go with it).
 *
 * @example
 * ```ts
 * import { removeDpopKey } from '@gatehouse/client';
 * await removeDpopKey('/home/me/.gatehouse/tokens/default.json');
 * ```
 */
export async function removeDpopKey(tokenFile: string): Promise<void> {
  await unlink(dpopKeyPath(tokenFile)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw new TokenStoreError(dpopKeyPath(tokenFile), 'delete', err);
  });
}

/**
 * The key kept in `<name>.dpop.json` beside a token file for the same issuer and client, or `undefined` (no
 * file, another issuer or client, unreadable). Reads only: nothing is made or written.
 */
export async function readDpopKeyFile(
  options: Pick<DpopKeyFileOptions, 'tokenFile' | 'issuer' | 'clientId' | 'passphrase'>,
): Promise<DpopKey | undefined> {
  const path = dpopKeyPath(options.tokenFile);
  const stored = await readKeyFile(path);
  if (stored === undefined || stored.issuer !== options.issuer || stored.clientId !== options.clientId) {
    return undefined;
  }
  let serialized = stored.key;
  if (stored.sealedKey !== undefined) {
    const passphrase = await passphraseOf(options.passphrase, path);
    const { key } = await deriveKey(
      passphrase,
      Buffer.from(stored.sealedKey.salt, 'base64url'),
      stored.sealedKey.iterations,
    );
    serialized = unseal(stored.sealedKey, key, keyAad(options.issuer, options.clientId));
    if (serialized === undefined) throw new WrongPassphraseError(path);
  }
  const key = await importDpopKey(serialized!);
  return key.thumbprint === stored.jkt ? key : undefined;
}

function keyAad(issuer: string, clientId: string): string {
  return `dpop ${issuer} ${clientId}`;
}

async function readKeyFile(path: string): Promise<KeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TokenStoreError(path, 'read', err);
  }
  try {
    const doc = JSON.parse(text) as Partial<KeyFile>;
    const keyOk = typeof doc.key === 'string' || isSealedSecret(doc.sealedKey);
    if (doc.version !== 1 || typeof doc.issuer !== 'string' || typeof doc.clientId !== 'string' || !keyOk) {
      return undefined;
    }
    return doc as KeyFile;
  } catch {
    return undefined; // unreadable: a new key replaces it
  }
}

async function passphraseOf(source: PassphraseSource | undefined, path: string): Promise<string> {
  const passphrase = typeof source === 'function' ? await source() : source;
  if (!passphrase) throw new PassphraseRequiredError(path);
  return passphrase;
}
