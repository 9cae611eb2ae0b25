/**
 * The base of every request failure: a stable snake_case `code`, the HTTP status, and the RFC 6750 / RFC 9449
 * error codes of its challenge. Messages are client-safe: never a token, an API key or a secret.
 */

/** Every status a request failure maps to. */
export type AuthErrorStatus = 400 | 401 | 403 | 404 | 413 | 415 | 429 | 503;

/**
 * The error code of the `WWW-Authenticate` challenge an {@link AuthError} is reported as, if any: RFC 6750
 * §3.1, and RFC 9470's `insufficient_user_authentication`.
 */
export type BearerErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_user_authentication';

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
  /** Stable snake_case code; on `AnyAuthError`, `switch (err.code)` narrows to the subclass. */
  abstract readonly code: string;
  /** The HTTP status this failure maps to. */
  abstract readonly status: AuthErrorStatus;
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
  /**
   * The `error` of the JSON body when it is neither the DPoP nor the RFC 6750 code nor {@link code} (a
   * refused logout token is `invalid_request`, Back-Channel Logout 1.0 §2.8).
   */
  readonly bodyError: string | undefined = undefined;

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

/**
 * A `Retry-After` value: whole seconds, at least 1 (what every 429 and 503 refusal carries). @internal
 *
 * @example
 * ```ts
 * wholeRetrySecs(0.2); // 1
 * ```
 */
export function wholeRetrySecs(secs: number): number {
  return Math.max(1, Math.ceil(secs));
}
