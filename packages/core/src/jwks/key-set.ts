import { isSupportedAlgorithm, type PublicJwk, type VerificationKey } from '../jwt/algorithms.js';
import { backendFor } from '../jwt/backend.js';
import { decodeBase64 } from '../platform/encoding.js';

/** Most keys imported from one JWKS; a longer set is truncated (real issuers publish a handful). */
export const MAX_KEYS_PER_SET = 64;
/** Smallest RSA modulus accepted, in bits (NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048;

const CURVES: Record<string, readonly string[]> = {
  EC: ['P-256', 'P-384', 'P-521'],
  OKP: ['Ed25519', 'Ed448'],
};

/** The outcome of importing a JWKS: usable keys, and why any other entries were skipped. */
export interface ImportedKeySet {
  readonly keys: readonly VerificationKey[];
  readonly skipped: readonly string[];
}

/**
 * Imports the signature keys of a JWKS document. Only public members are read (a published private
 * key is reduced to its public half); symmetric (`oct`) keys, encryption keys, unsupported curves or
 * algorithms, and RSA keys under 2048 bits are skipped, never trusted.
 */
export function importKeySet(document: Record<string, unknown>): ImportedKeySet {
  const entries = document.keys;
  if (!Array.isArray(entries)) throw new Error('JWKS has no "keys" array');
  const keys: VerificationKey[] = [];
  const skipped: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (keys.length >= MAX_KEYS_PER_SET) {
      skipped.push(`keys beyond the first ${MAX_KEYS_PER_SET} ignored`);
      break;
    }
    const result = importPublicJwk(entry);
    if (typeof result === 'string') skipped.push(`keys[${index}]: ${result}`);
    else keys.push(result);
  }
  return { keys, skipped };
}

/**
 * Imports one JWK as a signature verification key, reading only its public members; the reason as a
 * string when it cannot be used (wrong type or use, unsupported curve or algorithm, short RSA modulus).
 */
export function importPublicJwk(entry: unknown): VerificationKey | string {
  if (entry === null || typeof entry !== 'object') return 'not an object';
  const jwk = entry as Record<string, unknown>;
  const { kty, kid, alg, use, key_ops: keyOps, crv } = jwk;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') return `key type ${String(kty).slice(0, 16)} not used`;
  if (kid !== undefined && typeof kid !== 'string') return 'kid is not a string';
  if (use !== undefined && use !== 'sig') return 'not a signature key';
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify')))
    return 'not a verify key';
  if (alg !== undefined && !isSupportedAlgorithm(alg))
    return `algorithm ${String(alg).slice(0, 16)} not allowed`;
  if (kty !== 'RSA' && !(typeof crv === 'string' && CURVES[kty]!.includes(crv))) return 'unsupported curve';

  const publicJwk = publicMembers(jwk);
  if (publicJwk === undefined) return 'invalid key material';
  if (kty === 'RSA' && modulusBits(publicJwk as { n: string }) < MIN_RSA_BITS) {
    return `RSA key shorter than ${MIN_RSA_BITS} bits`;
  }
  const backend = backendFor(kty);
  const key = backend.importKey(publicJwk);
  if (key === undefined) return 'invalid key material';
  const verificationKey: VerificationKey = {
    kid: kid as string | undefined,
    alg: alg as string | undefined,
    kty,
    crv: kty === 'RSA' ? undefined : (crv as string),
    jwk: publicJwk,
    backend,
    key,
    inputs: new Map(),
  };
  // A key that names its issuer signs for that issuer only (checked against each token it verifies).
  const { issuer } = jwk;
  if (issuer !== undefined) {
    if (typeof issuer !== 'string' || issuer.length === 0) return 'issuer is not a string';
    return { ...verificationKey, issuer };
  }
  return verificationKey;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

// The public members, each a non-empty base64url string (private members are never copied).
function publicMembers(jwk: Record<string, unknown>): PublicJwk | undefined {
  const names = jwk.kty === 'RSA' ? ['n', 'e'] : jwk.kty === 'EC' ? ['x', 'y'] : ['x'];
  for (const name of names) {
    const value = jwk[name];
    if (typeof value !== 'string' || !BASE64URL.test(value)) return undefined;
  }
  const { kty, crv, n, e, x, y } = jwk as Record<string, string>;
  if (kty === 'RSA') return { kty, n: n!, e: e! };
  if (kty === 'EC') return { kty, crv: crv!, x: x!, y: y! };
  return { kty: 'OKP', crv: crv!, x: x! };
}

// The modulus length in bits, read from `n` itself (leading zero octets do not count), whatever backend
// imports the key.
function modulusBits(jwk: { readonly n: string }): number {
  const bytes = decodeBase64(jwk.n);
  if (bytes === undefined) return 0;
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first++;
  if (first === bytes.length) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!));
}

/**
 * Finishes importing a key set where the backend imports asynchronously (WebCrypto): each key is imported
 * once, for the algorithm it pins (or its family's first), and keys the runtime refuses are dropped with
 * their reason, as node:crypto's synchronous import drops them. Node keys pass through untouched.
 */
export async function prepareKeySet(imported: ImportedKeySet): Promise<ImportedKeySet> {
  if (!imported.keys.some((key) => key.backend.prepare !== undefined)) return imported;
  const usable = await Promise.all(imported.keys.map((key) => key.backend.prepare?.(key) ?? true));
  const keys = imported.keys.filter((_, index) => usable[index]);
  const skipped = [...imported.skipped];
  imported.keys.forEach((key, index) => {
    if (!usable[index]) skipped.push(`key ${key.kid ?? '(no kid)'}: invalid key material`);
  });
  return { keys, skipped };
}
