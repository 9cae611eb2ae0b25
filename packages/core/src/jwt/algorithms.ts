import { constants, type KeyObject, type VerifyKeyObjectInput, verify } from 'node:crypto';

/**
 * The JWS algorithms Gatehouse verifies: asymmetric only. `none` and the HMAC family are never accepted,
 * because a verifier holding only public keys cannot use them safely (an HS256 token "signed" with the
 * issuer's public key is the classic key-confusion attack).
 */
export const SUPPORTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** An algorithm from {@link SUPPORTED_ALGORITHMS}. */
export type JwsAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

type KeyType = 'RSA' | 'EC' | 'OKP';

interface AlgorithmSpec {
  readonly kty: KeyType;
  /** Digest passed to `crypto.verify` (null for EdDSA, which hashes internally). */
  readonly hash: string | null;
  /** Required curve for EC and (a set of) OKP algorithms. */
  readonly curves?: readonly string[];
  readonly pss?: boolean;
  /** Exact signature length in bytes (ECDSA in IEEE P1363 form). */
  readonly signatureLength?: number;
}

const SPECS: Record<JwsAlgorithm, AlgorithmSpec> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', curves: ['P-256'], signatureLength: 64 },
  ES384: { kty: 'EC', hash: 'sha384', curves: ['P-384'], signatureLength: 96 },
  ES512: { kty: 'EC', hash: 'sha512', curves: ['P-521'], signatureLength: 132 },
  EdDSA: { kty: 'OKP', hash: null, curves: ['Ed25519', 'Ed448'] },
  Ed25519: { kty: 'OKP', hash: null, curves: ['Ed25519'] },
};

/** Whether `alg` is one of the {@link SUPPORTED_ALGORITHMS}. */
export function isSupportedAlgorithm(alg: unknown): alg is JwsAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(SPECS, alg);
}

/** A public key from a JWKS, imported once and ready for `crypto.verify`. */
export interface VerificationKey {
  readonly kid: string | undefined;
  /** The JWK's `alg`, when it pins one. */
  readonly alg: string | undefined;
  readonly kty: KeyType;
  /** The curve of an EC or OKP key. */
  readonly crv: string | undefined;
  /**
   * The issuer the JWKS entry names, when it names one (Entra publishes one key set for every tenant and
   * marks each key with the issuer, possibly `{tenantid}`, it may sign for).
   */
  readonly issuer?: string;
  readonly key: KeyObject;
  /** `crypto.verify` key inputs per algorithm, built on first use. */
  readonly inputs: Map<JwsAlgorithm, KeyObject | VerifyKeyObjectInput>;
}

/** Whether `key` may verify signatures made with `alg` (key type, curve, and the JWK's own `alg`). */
export function keyFitsAlgorithm(key: VerificationKey, alg: JwsAlgorithm): boolean {
  const spec = SPECS[alg];
  if (key.kty !== spec.kty) return false;
  if (spec.curves && (key.crv === undefined || !spec.curves.includes(key.crv))) return false;
  // A JWK that pins an algorithm only serves that one ("EdDSA" and "Ed25519" name the same Ed25519 signature).
  if (key.alg !== undefined && key.alg !== alg && !(key.alg === 'EdDSA' && alg === 'Ed25519')) return false;
  return true;
}

/**
 * Verifies a JWS signature synchronously with `node:crypto` and a memoised key input. The caller has
 * already checked {@link keyFitsAlgorithm}.
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: VerificationKey,
  signingInput: Buffer,
  signature: Buffer,
): boolean {
  const spec = SPECS[alg];
  if (spec.signatureLength !== undefined && signature.length !== spec.signatureLength) return false;
  let input = key.inputs.get(alg);
  if (input === undefined) {
    input = spec.pss
      ? {
          key: key.key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : spec.kty === 'EC'
        ? { key: key.key, dsaEncoding: 'ieee-p1363' }
        : key.key;
    key.inputs.set(alg, input);
  }
  try {
    return verify(spec.hash, signingInput, input, signature);
  } catch {
    // OpenSSL rejects some malformed signatures by throwing rather than returning false.
    return false;
  }
}
