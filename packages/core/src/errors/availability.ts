/** Outages, not bad requests: answered 503 with `Retry-After`, so callers retry. */
import type { AuthzBackendName } from './access.js';
import { AuthError, wholeRetrySecs } from './auth-error.js';

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
    this.retryAfterSecs = wholeRetrySecs(retryAfterSecs);
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
export class StateUnavailableError extends AuthError {
  readonly code = 'state_unavailable';
  readonly status = 503;
  readonly bearerError = undefined;
  override readonly bodyError = 'temporarily_unavailable';
  /** Seconds after which a retry makes sense. */
  readonly retryAfterSecs: number = 1;
  constructor(message = 'shared state unavailable, retry later', options?: { cause?: unknown }) {
    super(message, options);
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
    this.retryAfterSecs = wholeRetrySecs(options?.retryAfterSecs ?? 1);
  }
}

/** Every error of this group: an outage. */
export type AvailabilityError = IssuerUnavailableError | StateUnavailableError | AuthzUnavailableError;
