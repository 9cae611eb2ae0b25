/**
 * The one error registry: every failure a request can meet, each class with a stable snake_case `code`,
 * gathered in {@link AnyAuthError} so that `switch (err.code)` narrows to the class and its fields, and
 * mapped to status, challenge and body by the one table in `http/response.ts`. Messages are client-safe:
 * they never contain a token, an API key or a secret; structured detail lives in fields.
 */
import type { AccessError } from './errors/access.js';
import { AuthError } from './errors/auth-error.js';
import type { AvailabilityError } from './errors/availability.js';
import type { RequestError } from './errors/request.js';
import type { SenderError } from './errors/sender.js';
import type { TokenError } from './errors/token.js';

export * from './errors/access.js';
export * from './errors/auth-error.js';
export * from './errors/availability.js';
export * from './errors/config.js';
export * from './errors/request.js';
export * from './errors/sender.js';
export * from './errors/token.js';

/**
 * Every {@link AuthError} Gatehouse raises, as a union: `switch (err.code)` on it narrows to the class,
 * with its fields. A `Refusal`'s `error` is one.
 *
 * @example
 * ```ts
 * function explain(err: AnyAuthError): string {
 *   switch (err.code) {
 *     case 'token_expired':
 *       return `expired at ${new Date(err.expiredAt * 1000).toISOString()}`;
 *     case 'rate_limited':
 *       return `retry in ${err.retryAfterSecs} s`;
 *     default:
 *       return err.message;
 *   }
 * }
 * ```
 */
export type AnyAuthError = RequestError | TokenError | SenderError | AccessError | AvailabilityError;

/** Stable codes of {@link AnyAuthError}, derived from the union: one per class. */
export type AuthErrorCode = AnyAuthError['code'];

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
