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

/** The JWK key types Gatehouse verifies with. */
export type KeyType = 'RSA' | 'EC' | 'OKP';

/** What each algorithm needs of a key and how its signature is computed. @internal */
export interface AlgorithmSpec {
  readonly kty: KeyType;
  /** Digest of the signature (null for EdDSA, which hashes internally), as node:crypto names it. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
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

/** The specification of a supported algorithm. @internal */
export function algorithmSpec(alg: JwsAlgorithm): AlgorithmSpec {
  return SPECS[alg];
}

/** The public members of a JWK, the only ones ever read (RFC 7518 §6). */
export type PublicJwk =
  | { readonly kty: 'RSA'; readonly n: string; readonly e: string }
  | { readonly kty: 'EC'; readonly crv: string; readonly x: string; readonly y: string }
  | { readonly kty: 'OKP'; readonly crv: string; readonly x: string };

/**
 * Verifies JWS signatures with one crypto implementation: node:crypto (synchronous, the fast path) or
 * WebCrypto (a promise; where node:crypto is missing or fails its known-answer test). @internal
 */
export interface VerificationBackend {
  readonly name: 'node' | 'webcrypto';
  /** Imports a public JWK once, synchronously; undefined when the key material is invalid. */
  importKey(jwk: PublicJwk): unknown;
  /** Checks `signature` over `signingInput`; false for any malformed signature. */
  verify(
    alg: JwsAlgorithm,
    key: VerificationKey,
    signingInput: Uint8Array,
    signature: Uint8Array,
  ): boolean | Promise<boolean>;
  /**
   * Finishes an import that can only be finished asynchronously (for `alg`, else the algorithm the key
   * pins or its family's first); false when the key is unusable.
   */
  prepare?(key: VerificationKey, alg?: JwsAlgorithm): Promise<boolean>;
}

/** A public key from a JWKS, imported once (by the backend that verifies with it). */
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
  /** The public members it was imported from. */
  readonly jwk: PublicJwk;
  /** The backend that imported it and verifies with it. */
  readonly backend: VerificationBackend;
  /** The backend's handle of the key (a node:crypto `KeyObject`, or the JWK for WebCrypto). */
  readonly key: unknown;
  /** The backend's prepared inputs per algorithm (a `crypto.verify` key input, a `CryptoKey` promise). */
  readonly inputs: Map<JwsAlgorithm, unknown>;
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
 * Verifies a JWS signature with the backend that imported the key: synchronously with node:crypto, as a
 * promise with WebCrypto. The caller has already checked {@link keyFitsAlgorithm}.
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: VerificationKey,
  signingInput: Uint8Array,
  signature: Uint8Array,
): boolean | Promise<boolean> {
  const length = SPECS[alg].signatureLength;
  if (length !== undefined && signature.length !== length) return false;
  return key.backend.verify(alg, key, signingInput, signature);
}
