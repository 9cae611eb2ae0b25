import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { isSupportedAlgorithm, type VerificationKey } from '../jwt/algorithms.js';

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

  const publicJwk: JsonWebKey =
    kty === 'RSA'
      ? { kty, n: jwk.n as string, e: jwk.e as string }
      : kty === 'EC'
        ? { kty, crv: crv as string, x: jwk.x as string, y: jwk.y as string }
        : { kty, crv: crv as string, x: jwk.x as string };
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({ key: publicJwk, format: 'jwk' });
  } catch {
    return 'invalid key material';
  }
  if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `RSA key shorter than ${MIN_RSA_BITS} bits`;
  }
  const verificationKey: VerificationKey = {
    kid: kid as string | undefined,
    alg: alg as string | undefined,
    kty,
    crv: kty === 'RSA' ? undefined : (crv as string),
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
