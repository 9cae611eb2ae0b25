import { LRUCache } from 'lru-cache';
import { InvalidDpopProofError } from '../errors.js';
import { importPublicJwk } from '../jwks/key-set.js';
import {
  isSupportedAlgorithm,
  type JwsAlgorithm,
  keyFitsAlgorithm,
  type VerificationKey,
  verifySignature,
} from '../jwt/algorithms.js';
import { backendGeneration } from '../jwt/backend.js';
import { parseJsonSegment, splitCompactJws } from '../jwt/compact.js';
import { sha256 } from '../platform/digest.js';
import { htuMatches } from './dpop-htu.js';
import { jwkThumbprint } from './jwk-thumbprint.js';

/** Longest DPoP header accepted, in characters (an RSA-4096 proof is about 1.3 kB). */
const MAX_PROOF_LENGTH = 8192;
/** Longest `jti` accepted, in characters. */
const MAX_JTI_LENGTH = 256;

/** What a proof is checked against: the request it came with. */
export interface DpopProofRequest {
  /** The raw `DPoP` header value(s) of the request. */
  readonly proof: string | readonly string[] | undefined;
  /** The request method, as received (`GET`). */
  readonly method: string;
  /** The URL the proof must name, without query: `requestHtuBase(publicUrl, target)`. */
  readonly htu: string;
  /** The access token sent with the proof, which `ath` must hash. */
  readonly accessToken: string;
}

/** How proofs are judged. */
export interface DpopProofRules {
  /** Accepted proof signature algorithms (asymmetric only). */
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  /** How old a proof's `iat` may be, in seconds (the contract: 300). */
  readonly maxAgeSecs: number;
  /** How far in the future a proof's `iat` may be, in seconds (the contract: 60). */
  readonly futureSecs: number;
}

/** A proof whose every RFC 9449 §4.3 check passed, except replay and nonce, which the caller judges. */
export interface VerifiedDpopProof {
  /** The RFC 7638 thumbprint of the proof's key, to compare with the token's `cnf.jkt`. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  /** The proof's `nonce` claim, when it has one. */
  readonly nonce: string | undefined;
}

interface ProofKey {
  readonly alg: JwsAlgorithm;
  readonly key: VerificationKey;
  readonly jkt: string;
}

// JWK members that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

// A client signs every proof with one key, so its header segment repeats: the imported key and its
// thumbprint are kept per segment (hostile headers only evict, they never grow the memo).
const proofKeys = new LRUCache<string, ProofKey | InvalidDpopProofError>({ max: 4096 });
let proofKeysGeneration = backendGeneration();

/**
 * Verifies a DPoP proof against its request (RFC 9449 §4.3): exactly one `DPoP` header holding a
 * compact JWS, `typ` `dpop+jwt`, an allowed asymmetric `alg`, a public `jwk` (no private members) whose
 * signature verifies, `htm` equal to the method, `htu` naming the request URL (query and fragment
 * ignored, RFC 3986 normalised), `iat` inside the window, a `jti`, and `ath` equal to the base64url
 * SHA-256 of the access token. Synchronous with node:crypto (a promise where WebCrypto verifies); throws
 * (or rejects with) {@link InvalidDpopProofError}.
 *
 * @example
 * ```ts
 * const proof = verifyDpopProof(
 *   { proof: dpopHeader, method: 'GET', htu: 'https://api.example.com/v1/whoami', accessToken },
 *   { algorithms: new Set(['ES256']), maxAgeSecs: 300, futureSecs: 60 },
 *   Date.now() / 1000,
 * );
 * if (proof.jkt !== boundJkt) throw new SenderConstraintError('key_mismatch');
 * ```
 */
export function verifyDpopProof(
  request: DpopProofRequest,
  rules: DpopProofRules,
  nowSecs: number,
): VerifiedDpopProof | Promise<VerifiedDpopProof> {
  const value = singleProof(request.proof);
  if (value.length > MAX_PROOF_LENGTH) throw new InvalidDpopProofError('malformed');
  const parts = splitCompactJws(value);
  if (parts === undefined) throw new InvalidDpopProofError('malformed');

  if (proofKeysGeneration !== backendGeneration()) {
    // The verification backend was switched (tests, benchmarks): keys imported by the other one go.
    proofKeys.clear();
    proofKeysGeneration = backendGeneration();
  }
  let proofKey = proofKeys.get(parts.headerSegment);
  if (proofKey === undefined) {
    proofKey = readProofHeader(parts.headerSegment);
    proofKeys.set(parts.headerSegment, proofKey);
  }
  if (proofKey instanceof InvalidDpopProofError) throw proofKey;
  if (!rules.algorithms.has(proofKey.alg)) throw new InvalidDpopProofError('alg');

  // The claims are checked before the signature: they cost less, and reveal nothing either way.
  const { jti, htm, htu, iat, ath, nonce } = parts.payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw new InvalidDpopProofError('jti');
  }
  if (htm !== request.method) throw new InvalidDpopProofError('htm');
  if (typeof htu !== 'string' || !htuMatches(htu, request.htu)) throw new InvalidDpopProofError('htu');
  if (
    typeof iat !== 'number' ||
    !Number.isFinite(iat) ||
    // Whole seconds: a proof exactly at either edge of the window passes whatever the sub-second clock says.
    iat < Math.floor(nowSecs) - rules.maxAgeSecs ||
    iat > Math.ceil(nowSecs) + rules.futureSecs
  ) {
    throw new InvalidDpopProofError('iat');
  }
  if (typeof ath !== 'string' || ath !== sha256(request.accessToken, 'base64url')) {
    throw new InvalidDpopProofError('ath');
  }
  if (nonce !== undefined && typeof nonce !== 'string') throw new InvalidDpopProofError('malformed');
  const verified: VerifiedDpopProof = { jkt: proofKey.jkt, jti, iat, nonce };
  const valid = verifySignature(proofKey.alg, proofKey.key, parts.signingInput, parts.signature);
  if (valid === true) return verified;
  if (valid === false) throw new InvalidDpopProofError('signature');
  // WebCrypto imports the key only now: key material it refuses (a point off the curve) is a bad `jwk`,
  // as node:crypto's synchronous import says, not a bad signature. Both share the one import.
  const usable = proofKey.key.backend.prepare?.(proofKey.key, proofKey.alg) ?? true;
  return Promise.all([usable, valid]).then(([keyOk, signatureOk]) => {
    if (!keyOk) throw new InvalidDpopProofError('jwk');
    if (!signatureOk) throw new InvalidDpopProofError('signature');
    return verified;
  });
}

function singleProof(proof: string | readonly string[] | undefined): string {
  let value: string;
  if (proof === undefined) throw new InvalidDpopProofError('missing');
  if (typeof proof === 'string') value = proof;
  else if (proof.length === 1) value = proof[0]!;
  else if (proof.length === 0) throw new InvalidDpopProofError('missing');
  else throw new InvalidDpopProofError('multiple');
  // Duplicate headers folded into one value (RFC 9110 §5.3) are several proofs too.
  if (value.includes(',')) throw new InvalidDpopProofError('multiple');
  value = value.trim();
  if (value.length === 0) throw new InvalidDpopProofError('missing');
  return value;
}

function readProofHeader(segment: string): ProofKey | InvalidDpopProofError {
  const header = parseJsonSegment(segment);
  if (header === undefined) return new InvalidDpopProofError('malformed');
  const { typ, alg, jwk, crit } = header;
  // `typ` is a media type: compared case-insensitively, with the optional "application/" prefix.
  const type = typeof typ === 'string' ? typ.toLowerCase() : undefined;
  if (type !== 'dpop+jwt' && type !== 'application/dpop+jwt') return new InvalidDpopProofError('typ');
  if (!isSupportedAlgorithm(alg)) return new InvalidDpopProofError('alg');
  // RFC 7515 §4.1.11: critical extensions that are not understood make the JWS invalid.
  if (crit !== undefined) return new InvalidDpopProofError('malformed');
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return new InvalidDpopProofError('jwk');
  const members = jwk as Record<string, unknown>;
  // A private key in the header is refused outright, never silently reduced to its public half: the
  // client has published its key, and whatever it signs proves nothing.
  for (const name of PRIVATE_MEMBERS) {
    if (members[name] !== undefined) return new InvalidDpopProofError('jwk');
  }
  const key = importPublicJwk(members);
  if (typeof key === 'string' || !keyFitsAlgorithm(key, alg)) return new InvalidDpopProofError('jwk');
  const jkt = jwkThumbprint(members);
  if (jkt === undefined) return new InvalidDpopProofError('jwk');
  return { alg, key, jkt };
}
