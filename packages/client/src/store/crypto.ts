import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/**
 * PBKDF2-SHA256 iterations for new files (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
 *
 * @example
 * ```ts
 * import { KDF_ITERATIONS } from '@gatehouse/client';
 * console.log(KDF_ITERATIONS); // 600000
 * ```
 */
export const KDF_ITERATIONS = 600_000;
/** Files claiming fewer iterations are refused (no downgrade through an edited file). */
export const MIN_KDF_ITERATIONS = 200_000;

/** An encrypted secret as stored in the token file (all binary fields base64url). */
export interface SealedSecret {
  alg: 'A256GCM';
  kdf: 'PBKDF2-SHA256';
  iterations: number;
  salt: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

/** A derived key with the salt it came from; reused for writes within a process (fresh IV each time). */
export interface DerivedKey {
  salt: Buffer;
  iterations: number;
  key: Buffer;
}

/** Derives a 256-bit key from a passphrase (random 16-byte salt unless given). */
export async function deriveKey(
  passphrase: string,
  salt: Buffer = randomBytes(16),
  iterations = KDF_ITERATIONS,
): Promise<DerivedKey> {
  const key = await pbkdf2Async(passphrase.normalize('NFC'), salt, iterations, 32, 'sha256');
  return { salt, iterations, key };
}

/** AES-256-GCM with a random 96-bit nonce; `aad` binds the ciphertext to its file (issuer and client). */
export function seal(plaintext: string, derived: DerivedKey, aad: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derived.key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    kdf: 'PBKDF2-SHA256',
    iterations: derived.iterations,
    salt: derived.salt.toString('base64url'),
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
  };
}

/** Decrypts; returns `undefined` when the key is wrong or the data was altered (the GCM tag fails). */
export function unseal(sealed: SealedSecret, key: Buffer, aad: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** True when a value has the shape of a {@link SealedSecret} we can read. */
export function isSealedSecret(value: unknown): value is SealedSecret {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    v.alg === 'A256GCM' &&
    v.kdf === 'PBKDF2-SHA256' &&
    typeof v.iterations === 'number' &&
    Number.isInteger(v.iterations) &&
    v.iterations >= MIN_KDF_ITERATIONS &&
    v.iterations <= 10_000_000 &&
    ['salt', 'iv', 'tag', 'ciphertext'].every((k) => typeof v[k] === 'string' && v[k] !== '')
  );
}
