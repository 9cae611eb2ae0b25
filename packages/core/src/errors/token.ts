/** Tokens and keys that are not accepted: malformed, wrongly signed, expired, for another audience, revoked. */
import { AuthError } from './auth-error.js';

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

/** Every error of this group: a token or key not accepted. */
export type TokenError =
  | InvalidTokenError
  | UnsupportedAlgorithmError
  | TokenExpiredError
  | TokenNotYetValidError
  | UnknownIssuerError
  | UnknownKeyError
  | AudienceMismatchError
  | UnknownApiKeyError
  | TokenInactiveError
  | TokenRevokedError;
