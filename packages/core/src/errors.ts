/**
 * Every way a request can fail authentication or authorization, each with a stable `code`.
 * Messages are client-safe: they never contain a token, an API key or a secret. Structured detail
 * for operators (the unknown `kid`, the expected audience…) lives in fields, which audit events carry.
 */

/** Stable codes of {@link AuthError}; `switch (err.code)` narrows to the subclass. */
export type AuthErrorCode =
  | 'missing_credentials'
  | 'invalid_request'
  | 'invalid_token'
  | 'unsupported_algorithm'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'unknown_issuer'
  | 'unknown_key'
  | 'audience_mismatch'
  | 'unknown_api_key'
  | 'insufficient_scope'
  | 'forbidden'
  | 'issuer_unavailable'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'sender_constraint_failed'
  | 'token_inactive'
  | 'token_revoked'
  | 'rate_limited'
  | 'access_denied'
  | 'authz_unavailable';

/** The RFC 6750 §3.1 error code an {@link AuthError} is reported as, if any. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** The error code an {@link AuthError} puts on the `DPoP` challenge (RFC 9449 §7.1, §8, §12.2). */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token';

/**
 * Base class of every authentication and authorization failure.
 *
 * @example
 * ```ts
 * try {
 *   await provider.validateToken(token);
 * } catch (err) {
 *   if (err instanceof AuthError && err.code === 'token_expired') console.warn('expired token');
 * }
 * ```
 */
export abstract class AuthError extends Error {
  abstract readonly code: AuthErrorCode;
  /** The HTTP status this failure maps to (400, 401, 403, 429 or 503). */
  abstract readonly status: 400 | 401 | 403 | 429 | 503;
  /** The RFC 6750 error code for the `WWW-Authenticate` challenge, if the failure has one. */
  abstract readonly bearerError: BearerErrorCode | undefined;
  /**
   * Whether the failure is final. A provider that merely does not recognise a token (an unknown API key,
   * a JWT from an issuer it does not serve) rejects with a non-final error, so that a
   * `MultiAuthProvider` asks the next provider; any other rejection ends the search.
   */
  readonly final: boolean = true;
  /**
   * The error code of the `WWW-Authenticate: DPoP` challenge (RFC 9449 §7.1) when the failure concerns
   * the DPoP scheme itself (a bad proof, a nonce to use, a bound token sent as `Bearer`); otherwise the
   * error goes on the challenge of the scheme the request used.
   */
  readonly dpopError: DpopErrorCode | undefined = undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    // An auth failure is an expected answer (401/403), not a bug: its stack says nothing that `code` and
    // the fields don't, and capturing it was the largest cost of refusing a token (V8 walks every frame).
    // The original error, when there is one, keeps its own stack as `cause`.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = new.target.name;
  }
}

/** No bearer credentials: no `Authorization` header, or one with another scheme (RFC 6750 §3.1: no error code). */
export class MissingCredentialsError extends AuthError {
  readonly code = 'missing_credentials';
  readonly status = 401;
  readonly bearerError = undefined;
  /** The scheme that was presented instead of `Bearer`, if any (never its credentials). */
  readonly scheme: string | undefined;
  constructor(scheme?: string) {
    super(
      scheme === undefined ? 'bearer credentials required' : 'the Bearer authentication scheme is required',
    );
    this.scheme = scheme;
  }
}

/** Why an `Authorization` header was malformed. */
export type InvalidRequestReason = 'duplicate_header' | 'malformed' | 'empty_token' | 'too_long';

/** A malformed `Authorization` header: two of them, an empty token, bad characters, or too long. */
export class InvalidRequestError extends AuthError {
  readonly code = 'invalid_request';
  readonly status = 400;
  readonly bearerError = 'invalid_request';
  readonly reason: InvalidRequestReason;
  constructor(reason: InvalidRequestReason) {
    super(INVALID_REQUEST_MESSAGES[reason]);
    this.reason = reason;
  }
}

const INVALID_REQUEST_MESSAGES: Record<InvalidRequestReason, string> = {
  duplicate_header: 'more than one Authorization header',
  malformed: 'malformed Authorization header',
  empty_token: 'empty bearer token',
  too_long: 'Authorization header too long',
};

/**
 * Why a token was found invalid, beyond the dedicated subclasses: `tenant` (a `{tenantid}` issuer's tenant
 * is not trusted, or `tid` names another), `key_issuer` (the JWKS key names another issuer), `token_type`
 * (an ID token where an access token is expected, or the reverse), `client` (the `azp`/`client_id` is not
 * an accepted client).
 */
export type InvalidTokenReason =
  | 'malformed'
  | 'signature'
  | 'claim'
  | 'header'
  | 'tenant'
  | 'key_issuer'
  | 'token_type'
  | 'client';

/** A token that is not a well-formed, correctly signed JWT with valid claims. */
export class InvalidTokenError extends AuthError {
  readonly code = 'invalid_token';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  readonly reason: InvalidTokenReason;
  /** The claim or header parameter at fault, if one is. */
  readonly claim: string | undefined;
  readonly issuer: string | undefined;
  constructor(
    message: string,
    detail: { reason: InvalidTokenReason; claim?: string; issuer?: string; cause?: unknown },
  ) {
    super(message, { cause: detail.cause });
    this.reason = detail.reason;
    this.claim = detail.claim;
    this.issuer = detail.issuer;
  }
}

/** A JWT signed with an algorithm outside the allow-list (`none` and HS* are never allowed). */
export class UnsupportedAlgorithmError extends AuthError {
  readonly code = 'unsupported_algorithm';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  /** The `alg` header value, truncated. */
  readonly algorithm: string;
  constructor(algorithm: string) {
    super('token signing algorithm not allowed');
    this.algorithm = algorithm.slice(0, 32);
  }
}

/** A JWT whose `exp` has passed (beyond the clock tolerance). */
export class TokenExpiredError extends AuthError {
  readonly code = 'token_expired';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  readonly issuer: string;
  /** The token's `exp`, in seconds since the epoch. */
  readonly expiredAt: number;
  constructor(issuer: string, expiredAt: number) {
    super('token expired');
    this.issuer = issuer;
    this.expiredAt = expiredAt;
  }
}

/** A JWT whose `nbf` or `iat` lies in the future (beyond the clock tolerance). */
export class TokenNotYetValidError extends AuthError {
  readonly code = 'token_not_yet_valid';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  readonly issuer: string;
  readonly claim: 'nbf' | 'iat';
  constructor(issuer: string, claim: 'nbf' | 'iat') {
    super(claim === 'nbf' ? 'token not yet valid' : 'token issued in the future');
    this.issuer = issuer;
    this.claim = claim;
  }
}

/** A JWT whose `iss` is not a configured issuer. Not final: another provider may serve that issuer. */
export class UnknownIssuerError extends AuthError {
  readonly code = 'unknown_issuer';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  override readonly final = false;
  /** The unverified `iss` claim, truncated (absent when the token has none). */
  readonly issuer: string | undefined;
  constructor(issuer: string | undefined) {
    super('token issuer not accepted');
    this.issuer = issuer?.slice(0, 256);
  }
}

/** A JWT whose `kid` is not in its issuer's key set, even after the allowed re-fetch. */
export class UnknownKeyError extends AuthError {
  readonly code = 'unknown_key';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  readonly issuer: string;
  /** The `kid` header value, truncated (absent when the token has none). */
  readonly kid: string | undefined;
  constructor(issuer: string, kid: string | undefined) {
    super('token signing key not recognised');
    this.issuer = issuer;
    this.kid = kid?.slice(0, 128);
  }
}

/**
 * Why an audience was refused beyond not matching: `microsoft_graph` for a Microsoft Graph token, which is
 * meant for Microsoft's APIs and never for this one.
 *
 * @example
 * ```ts
 * if (err instanceof AudienceMismatchError && err.reason === 'microsoft_graph') console.error('asked for Graph');
 * ```
 */
export type AudienceMismatchReason = 'microsoft_graph';

/** A JWT whose `aud` does not name the audience configured for its issuer. */
export class AudienceMismatchError extends AuthError {
  readonly code = 'audience_mismatch';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  readonly issuer: string;
  readonly expected: readonly string[];
  /** The token's audiences (empty when `aud` is missing), truncated. */
  readonly actual: readonly string[];
  readonly reason: AudienceMismatchReason | undefined;
  constructor(
    issuer: string,
    expected: readonly string[],
    actual: readonly string[],
    reason?: AudienceMismatchReason,
  ) {
    super(
      reason === 'microsoft_graph'
        ? 'token is for Microsoft Graph, not this API'
        : actual.length === 0
          ? 'token has no audience'
          : 'token audience not accepted',
    );
    this.issuer = issuer;
    this.expected = expected;
    this.actual = actual.slice(0, 8).map((a) => a.slice(0, 256));
    this.reason = reason;
  }
}

/** A credential that is not a configured API key. Not final: it may be another provider's token. */
export class UnknownApiKeyError extends AuthError {
  readonly code = 'unknown_api_key';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  override readonly final = false;
  constructor() {
    super('invalid credentials');
  }
}

/** A valid identity that lacks a required scope (RFC 6750 `insufficient_scope`). */
export class InsufficientScopeError extends AuthError {
  readonly code = 'insufficient_scope';
  readonly status = 403;
  readonly bearerError = 'insufficient_scope';
  readonly required: readonly string[];
  readonly missing: readonly string[];
  constructor(required: readonly string[], missing: readonly string[]) {
    super('insufficient scope');
    this.required = required;
    this.missing = missing;
  }
}

/** A valid identity without the right to the resource (e.g. not an admin). */
export class ForbiddenError extends AuthError {
  readonly code = 'forbidden';
  readonly status = 403;
  readonly bearerError = undefined;
  readonly requirement: string;
  constructor(requirement: 'admin' | (string & {})) {
    super(requirement === 'admin' ? 'admin rights required' : 'access denied');
    this.requirement = requirement;
  }
}

/**
 * The issuer's keys could not be fetched and none is cached: an outage, not a bad token. Maps to 503
 * with `Retry-After`, so callers retry instead of discarding their token.
 */
export class IssuerUnavailableError extends AuthError {
  readonly code = 'issuer_unavailable';
  readonly status = 503;
  readonly bearerError = undefined;
  readonly issuer: string;
  /** Seconds after which a new attempt to reach the issuer will be made. */
  readonly retryAfterSecs: number;
  constructor(issuer: string, retryAfterSecs: number, cause?: unknown) {
    super('identity provider unavailable, retry later', { cause });
    this.issuer = issuer;
    this.retryAfterSecs = Math.max(1, Math.ceil(retryAfterSecs));
  }
}

/**
 * Which decision backend an authorization step asked: built-in rules, Cedar in process, or an AuthZEN PDP.
 *
 * @example
 * ```ts
 * const backend: AuthzBackendName = 'cedar';
 * ```
 */
export type AuthzBackendName = 'rules' | 'cedar' | 'authzen' | (string & {});

/**
 * The authorization step denied the request: the policy decision point said no to this identity doing
 * `action` on the resource (403, no `insufficient_scope`: no scope would have helped). The fields say what
 * was asked and which policies decided; they never hold a token.
 *
 * @example
 * ```ts
 * if (err instanceof AccessDeniedError) console.warn(err.action, err.resourceType, err.backend);
 * ```
 */
export class AccessDeniedError extends AuthError {
  readonly code = 'access_denied';
  readonly status = 403;
  readonly bearerError = undefined;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string | undefined;
  readonly backend: AuthzBackendName;
  /** The policies (or rules) that decided, when the backend names them. */
  readonly policies: readonly string[] | undefined;
  constructor(detail: {
    action: string;
    resourceType: string;
    resourceId?: string;
    backend: AuthzBackendName;
    policies?: readonly string[];
  }) {
    super('access denied');
    this.action = detail.action;
    this.resourceType = detail.resourceType;
    this.resourceId = detail.resourceId;
    this.backend = detail.backend;
    this.policies = detail.policies;
  }
}

/**
 * Why a decision could not be made: the PDP did not answer in time, could not be reached, answered
 * something that is not a decision, could not be discovered, or the engine failed.
 *
 * @example
 * ```ts
 * if (err instanceof AuthzUnavailableError && err.reason === 'timeout') console.warn('the PDP is slow');
 * ```
 */
export type AuthzFailure = 'timeout' | 'unreachable' | 'bad_response' | 'discovery' | 'engine';

/**
 * No decision could be made (the PDP unreachable, slow or answering nonsense; the engine failing): an
 * outage, never an allow. 503 with `Retry-After`.
 *
 * @example
 * ```ts
 * if (err instanceof AuthzUnavailableError) console.warn(err.backend, err.reason, err.retryAfterSecs);
 * ```
 */
export class AuthzUnavailableError extends AuthError {
  readonly code = 'authz_unavailable';
  readonly status = 503;
  readonly bearerError = undefined;
  readonly backend: AuthzBackendName;
  readonly reason: AuthzFailure;
  /** Seconds after which asking again makes sense. */
  readonly retryAfterSecs: number;
  constructor(
    backend: AuthzBackendName,
    reason: AuthzFailure,
    options?: { cause?: unknown; retryAfterSecs?: number },
  ) {
    super('authorization service unavailable, retry later', { cause: options?.cause });
    this.backend = backend;
    this.reason = reason;
    this.retryAfterSecs = Math.max(1, Math.ceil(options?.retryAfterSecs ?? 1));
  }
}

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

/** An opaque token that the issuer's introspection endpoint reports as not active (RFC 7662 §2.2). */
export class TokenInactiveError extends AuthError {
  readonly code = 'token_inactive';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  readonly issuer: string;
  constructor(issuer: string) {
    super('token not active');
    this.issuer = issuer;
  }
}

/**
 * A credential that a revocation in force covers (by `jti`, subject, session or API key name): 401
 * `invalid_token`, on every instance that shares the revocation.
 *
 * @example
 * ```ts
 * if (err instanceof TokenRevokedError) console.warn('revoked by', err.revocationId);
 * ```
 */
export class TokenRevokedError extends AuthError {
  readonly code = 'token_revoked';
  readonly status = 401;
  readonly bearerError = 'invalid_token';
  /** The revocation that covers the credential. */
  readonly revocationId: string;
  readonly issuer: string;
  constructor(revocationId: string, issuer: string) {
    super('token revoked');
    this.revocationId = revocationId;
    this.issuer = issuer;
  }
}

/** What a {@link RateLimitedError} limits: an identity's requests, or a client address's failures. */
export type RateLimitReason = 'identity' | 'failed_auth';

/**
 * Too many requests: an identity over its rate limit, or a client address blocked after too many
 * failed authentications. 429 with `Retry-After`, `RateLimit-Policy` and `RateLimit`
 * (draft-ietf-httpapi-ratelimit-headers).
 *
 * @example
 * ```ts
 * if (err instanceof RateLimitedError) res.setHeader('retry-after', String(err.retryAfterSecs));
 * ```
 */
export class RateLimitedError extends AuthError {
  readonly code = 'rate_limited';
  readonly status = 429;
  readonly bearerError = undefined;
  readonly reason: RateLimitReason;
  /** The policy's name in the `RateLimit-Policy` and `RateLimit` headers. */
  readonly policy: string;
  /** The quota of the window (`q`). */
  readonly limit: number;
  readonly windowSecs: number;
  /** Seconds until the window ends (`Retry-After`, and `t` of `RateLimit`), at least 1. */
  readonly retryAfterSecs: number;
  constructor(detail: {
    reason: RateLimitReason;
    policy: string;
    limit: number;
    windowSecs: number;
    retryAfterSecs: number;
  }) {
    super(
      detail.reason === 'identity'
        ? 'rate limit exceeded, retry later'
        : 'too many failed authentications from this address, retry later',
    );
    this.reason = detail.reason;
    this.policy = detail.policy;
    this.limit = detail.limit;
    this.windowSecs = detail.windowSecs;
    this.retryAfterSecs = Math.max(1, Math.ceil(detail.retryAfterSecs));
  }
}

/**
 * The shared store (Redis) cannot be reached, so a change that every instance must see (a revocation,
 * its lifting) was not made. Answered 503 with `Retry-After`; never a success.
 *
 * @example
 * ```ts
 * try {
 *   await state.storeRevocation(revocation);
 * } catch (err) {
 *   if (err instanceof StateUnavailableError) console.warn(err.message); // shared state unavailable
 * }
 * ```
 */
export class StateUnavailableError extends Error {
  readonly code = 'state_unavailable';
  /** Seconds after which a retry makes sense. */
  readonly retryAfterSecs: number;
  constructor(message = 'shared state unavailable, retry later', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateUnavailableError';
    this.retryAfterSecs = 1;
  }
}

/** Codes of {@link ConfigError}. */
export type ConfigErrorCode = 'missing_config' | 'invalid_config';

/**
 * Configuration that Gatehouse refuses to start with. The message names the environment variable
 * (when the value came from one) and the field.
 *
 * @example
 * ```ts
 * try {
 *   loadConfigFromEnv();
 * } catch (err) {
 *   if (err instanceof ConfigError) {
 *     console.error(err.message); // GATEHOUSE_OIDC_CONFIG: "issuers[0].audience" is required
 *     process.exit(1);
 *   }
 *   throw err;
 * }
 * ```
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The environment variable at fault, when configuration came from the environment. */
  readonly variable: string | undefined;
  /** The path of the field at fault (`issuers[0].audience`), if one is. */
  readonly field: string | undefined;
  constructor(code: ConfigErrorCode, problem: string, where: { variable?: string; field?: string } = {}) {
    const prefix = where.variable ? `${where.variable}: ` : '';
    const subject = where.field ? `"${where.field}" ` : '';
    super(`${prefix}${subject}${problem}`);
    this.name = 'ConfigError';
    this.code = code;
    this.variable = where.variable;
    this.field = where.field;
  }
}

/**
 * Every {@link AuthError} Gatehouse raises, as a union: `switch (err.code)` on it narrows to the class,
 * with its fields.
 *
 * @example
 * ```ts
 * function explain(err: AnyAuthError): string {
 *   switch (err.code) {
 *     case 'token_expired':
 *       return `expired at ${new Date(err.expiredAt * 1000).toISOString()}`;
 *     case 'audience_mismatch':
 *       return `audience ${err.actual.join(', ')} not accepted`;
 *     default:
 *       return err.message;
 *   }
 * }
 * ```
 */
export type AnyAuthError =
  | MissingCredentialsError
  | InvalidRequestError
  | InvalidTokenError
  | UnsupportedAlgorithmError
  | TokenExpiredError
  | TokenNotYetValidError
  | UnknownIssuerError
  | UnknownKeyError
  | AudienceMismatchError
  | UnknownApiKeyError
  | InsufficientScopeError
  | ForbiddenError
  | IssuerUnavailableError
  | AccessDeniedError
  | AuthzUnavailableError;

/**
 * True for any {@link AuthError}, including one from another copy of this package (dual ESM/CJS loads).
 * Narrows to {@link AnyAuthError}, so that `switch (err.code)` narrows further (an `AuthError` subclass of
 * your own is not in that union: test it with `instanceof` first).
 *
 * @example
 * ```ts
 * if (isAuthError(err) && err.code === 'issuer_unavailable') retryLater(err.retryAfterSecs);
 * ```
 */
export function isAuthError(err: unknown): err is AnyAuthError {
  return (
    err instanceof AuthError ||
    (err instanceof Error &&
      typeof (err as Partial<AuthError>).code === 'string' &&
      typeof (err as Partial<AuthError>).status === 'number' &&
      'bearerError' in err)
  );
}
