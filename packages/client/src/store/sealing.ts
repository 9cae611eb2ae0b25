import { PassphraseRequiredError, WrongPassphraseError } from '../errors.js';
import { type DerivedKey, deriveKey, type SealedSecret, seal, unseal } from './crypto.js';
import { type SealedParts, type StoredTokens, sealAad, secretAad, type TokenFileDocument } from './format.js';

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
 * The passphrase side of a token store: asks for the passphrase once, derives keys once per salt, seals the
 * secrets of a write and opens those of a read.
 */
export interface Sealer {
  /** The refresh token and named secrets of a document, decrypted where sealed. */
  open(doc: TokenFileDocument): Promise<Pick<StoredTokens, 'refreshToken' | 'secrets'>>;
  /** The sealed parts of a write (nothing to seal: empty). */
  close(tokens: StoredTokens): Promise<SealedParts>;
}

export function createSealer(path: string, source: PassphraseSource | undefined): Sealer {
  let passphrase: Promise<string> | undefined;
  let writeKey: DerivedKey | undefined; // reused for writes in this process, with a fresh IV each time
  const readKeys = new Map<string, Buffer>(); // salt → key, so re-reading a file does not re-derive

  const getPassphrase = async (): Promise<string> => {
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

  const unsealOne = async (sealed: SealedSecret, aad: string): Promise<string> => {
    let key = readKeys.get(sealed.salt);
    if (!key) {
      key = (await deriveKey(await getPassphrase(), Buffer.from(sealed.salt, 'base64url'), sealed.iterations))
        .key;
      readKeys.set(sealed.salt, key);
    }
    const plain = unseal(sealed, key, aad);
    if (plain === undefined) throw new WrongPassphraseError(path);
    return plain;
  };

  const sealOne = async (value: string, aad: string): Promise<SealedSecret> => {
    writeKey ??= await deriveKey(await getPassphrase());
    readKeys.set(writeKey.salt.toString('base64url'), writeKey.key);
    return seal(value, writeKey, aad);
  };

  return {
    async open(doc) {
      const out: Pick<StoredTokens, 'refreshToken' | 'secrets'> = {};
      if (doc.refresh_token) out.refreshToken = doc.refresh_token;
      if (doc.refresh_token_encrypted) {
        out.refreshToken = await unsealOne(doc.refresh_token_encrypted, sealAad(doc.issuer, doc.client_id));
      }
      const secrets: Record<string, string> = { ...doc.secrets };
      for (const [name, sealed] of Object.entries(doc.secrets_encrypted ?? {})) {
        secrets[name] = await unsealOne(sealed, secretAad(name, doc.issuer, doc.client_id));
      }
      if (Object.keys(secrets).length) out.secrets = secrets;
      return out;
    },
    async close(tokens) {
      const parts: SealedParts = {};
      if (tokens.refreshToken) {
        parts.refreshToken = await sealOne(tokens.refreshToken, sealAad(tokens.issuer, tokens.clientId));
      }
      const named = Object.entries(tokens.secrets ?? {});
      if (named.length) {
        parts.secrets = {};
        for (const [name, value] of named) {
          parts.secrets[name] = await sealOne(value, secretAad(name, tokens.issuer, tokens.clientId));
        }
      }
      return parts;
    },
  };
}
