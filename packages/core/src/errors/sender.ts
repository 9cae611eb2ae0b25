/** Sender-constrained tokens (RFC 9449 DPoP, RFC 8705 certificates) presented without what their binding demands. */
import { AuthError, type DpopErrorCode } from './auth-error.js';

/** What was wrong with a DPoP proof (RFC 9449 §4.3). */
export type DpopProofFailure =
  | 'missing'
  | 'multiple'
  | 'malformed'
  | 'typ'
  | 'alg'
  | 'jwk'
  | 'signature'
  | 'htm'
  | 'htu'
  | 'iat'
  | 'ath'
  | 'jti'
  | 'replayed';

const DPOP_PROOF_MESSAGES: Record<DpopProofFailure, string> = {
  missing: 'DPoP proof required',
  multiple: 'more than one DPoP proof',
  malformed: 'malformed DPoP proof',
  typ: 'DPoP proof typ must be dpop+jwt',
  alg: 'DPoP proof signing algorithm not allowed',
  jwk: 'DPoP proof jwk is not a usable public key',
  signature: 'invalid DPoP proof signature',
  htm: 'DPoP proof htm does not match the request method',
  htu: 'DPoP proof htu does not match the request URL',
  iat: 'DPoP proof iat is outside the accepted window',
  ath: 'DPoP proof ath does not match the access token',
  jti: 'DPoP proof has no valid jti',
  replayed: 'DPoP proof already used',
};

/**
 * A DPoP proof that is missing, malformed, wrongly signed, made for another request, too old, or
 * replayed: 401 with `WWW-Authenticate: DPoP error="invalid_dpop_proof"` (RFC 9449 §7.1).
 *
 * @example
 * ```ts
 * if (err instanceof InvalidDpopProofError && err.reason === 'replayed') console.warn('DPoP replay');
 * ```
 */
export class InvalidDpopProofError extends AuthError {
  readonly code = 'invalid_dpop_proof';
  readonly status = 401;
  readonly bearerError = undefined;
  override readonly dpopError = 'invalid_dpop_proof';
  readonly reason: DpopProofFailure;
  constructor(reason: DpopProofFailure, options?: { cause?: unknown }) {
    super(DPOP_PROOF_MESSAGES[reason], options);
    this.reason = reason;
  }
}

/**
 * The server wants a (fresh) nonce in the DPoP proof (RFC 9449 §8): 401 with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"` and the nonce to use in `DPoP-Nonce`.
 *
 * @example
 * ```ts
 * if (err instanceof DpopNonceError) retryWith(err.nonce);
 * ```
 */
export class DpopNonceError extends AuthError {
  readonly code = 'use_dpop_nonce';
  readonly status = 401;
  readonly bearerError = undefined;
  override readonly dpopError = 'use_dpop_nonce';
  /** The nonce the client must put in its next proof (public by design: it is sent in a header). */
  readonly nonce: string;
  /** `missing` when the proof had no nonce, `stale` when its nonce is unknown or expired. */
  readonly reason: 'missing' | 'stale';
  constructor(nonce: string, reason: 'missing' | 'stale') {
    super(reason === 'missing' ? 'DPoP proof nonce required' : 'DPoP proof nonce expired or unknown');
    this.nonce = nonce;
    this.reason = reason;
  }
}

/** Why a token failed its sender constraint (RFC 9449 DPoP binding, RFC 8705 certificate binding). */
export type SenderConstraintFailure =
  | 'bound_token_as_bearer'
  | 'dpop_required'
  | 'dpop_disabled'
  | 'dpop_not_accepted'
  | 'key_mismatch'
  | 'malformed_cnf'
  | 'certificate_missing'
  | 'certificate_mismatch';

const SENDER_CONSTRAINT_MESSAGES: Record<SenderConstraintFailure, string> = {
  bound_token_as_bearer: 'DPoP-bound token must be sent with the DPoP scheme',
  dpop_required: 'token must be DPoP-bound',
  dpop_disabled: 'DPoP is not accepted for this issuer',
  dpop_not_accepted: 'the DPoP scheme is not accepted for this credential',
  key_mismatch: 'DPoP proof key does not match the token binding',
  malformed_cnf: 'token confirmation claim is malformed',
  certificate_missing: 'certificate-bound token requires the client certificate',
  certificate_mismatch: 'client certificate does not match the token binding',
};

// Failures whose challenge is the DPoP scheme's: the client should come back with DPoP.
const DPOP_CHALLENGED: ReadonlySet<SenderConstraintFailure> = new Set([
  'bound_token_as_bearer',
  'dpop_required',
  'key_mismatch',
]);

/**
 * A valid token presented without what its binding demands: a DPoP-bound token sent as `Bearer`, an
 * unbound one where DPoP is required, a proof key or client certificate other than the bound one.
 * 401 `invalid_token`; on the DPoP challenge when the client should use DPoP (RFC 9449 §7.1, §7.2).
 *
 * @example
 * ```ts
 * if (err instanceof SenderConstraintError && err.reason === 'bound_token_as_bearer') useDpop();
 * ```
 */
export class SenderConstraintError extends AuthError {
  readonly code = 'sender_constraint_failed';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  override readonly dpopError: DpopErrorCode | undefined;
  readonly reason: SenderConstraintFailure;
  readonly issuer: string | undefined;
  constructor(reason: SenderConstraintFailure, issuer?: string) {
    super(SENDER_CONSTRAINT_MESSAGES[reason]);
    this.reason = reason;
    this.issuer = issuer;
    this.dpopError = DPOP_CHALLENGED.has(reason) ? 'invalid_token' : undefined;
  }
}

/** Every error of this group: a sender constraint not met. */
export type SenderError = InvalidDpopProofError | DpopNonceError | SenderConstraintError;
