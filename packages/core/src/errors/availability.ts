/** Outages, not bad requests: answered 503 with `Retry-After`, so callers retry. */
import { AuthError } from './auth-error.js';

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

/** Every error of this group: an outage. */
export type AvailabilityError = IssuerUnavailableError | StateUnavailableError;
