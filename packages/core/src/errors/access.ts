/** Identities that are known but may not go on: a missing right or scope, or a limit reached. */
import { AuthError, wholeRetrySecs } from './auth-error.js';

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

/**
 * Which part of a step-up requirement a token falls short of: its `acr`, or its `auth_time`.
 *
 * @example
 * ```ts
 * const reason: StepUpReason = err.reason; // on an InsufficientUserAuthenticationError
 * ```
 */
export type StepUpReason = 'acr' | 'max_age';

/**
 * A valid token whose authentication is too weak or too old for the route (RFC 9470 step-up): 401
 * `error="insufficient_user_authentication"` with `acr_values` and/or `max_age`, the whole requirement,
 * so that a client authenticating again with what the challenge names meets all of it at once (and
 * `scope`, the route's scopes, when it has any).
 *
 * @example
 * ```ts
 * if (err instanceof InsufficientUserAuthenticationError) console.log(err.acrValues, err.maxAge);
 * ```
 */
export class InsufficientUserAuthenticationError extends AuthError {
  readonly code = 'insufficient_user_authentication';
  readonly status = 401;
  readonly bearerError = 'insufficient_user_authentication';
  readonly reason: StepUpReason;
  /** The authentication context classes the route accepts (`acr_values`). */
  readonly acrValues: readonly string[] | undefined;
  /** The greatest age of the login the route accepts, in seconds (`max_age`). */
  readonly maxAge: number | undefined;
  /** The route's scopes, which the challenge repeats in `scope`. */
  readonly scopes: readonly string[];
  constructor(detail: {
    reason: StepUpReason;
    acrValues?: readonly string[];
    maxAge?: number;
    scopes?: readonly string[];
  }) {
    super(
      detail.reason === 'acr'
        ? 'a stronger authentication is required'
        : 'a more recent authentication is required',
    );
    this.reason = detail.reason;
    this.acrValues = detail.acrValues;
    this.maxAge = detail.maxAge;
    this.scopes = detail.scopes ?? [];
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
    this.retryAfterSecs = wholeRetrySecs(detail.retryAfterSecs);
  }
}

/** Every error of this group: an identity that may not go on. */
export type AccessError =
  | InsufficientScopeError
  | InsufficientUserAuthenticationError
  | ForbiddenError
  | AccessDeniedError
  | RateLimitedError;
