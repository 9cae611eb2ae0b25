import {
  type AuthError,
  InsufficientScopeError,
  IssuerUnavailableError,
  RateLimitedError,
} from '../errors.js';

/** Realm of the `WWW-Authenticate` challenge unless configured. */
export const DEFAULT_REALM = 'gatehouse';

/** What an adapter writes for an {@link AuthError}: status, headers and a JSON body. */
export interface AuthErrorResponse {
  readonly status: 400 | 401 | 403 | 429 | 503;
  /**
   * Lower-case header names: `www-authenticate`, `retry-after`, `cache-control`, and on a 429
   * `ratelimit-policy` and `ratelimit`.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: {
    /** The RFC 6750 error code when there is one, otherwise the Gatehouse code. */
    readonly error: string;
    readonly error_description: string;
  };
}

/** Parameters of a Bearer challenge (RFC 6750 §3). */
export interface BearerChallenge {
  realm?: string;
  error?: string;
  errorDescription?: string;
  scope?: string;
}

/**
 * Formats a `WWW-Authenticate: Bearer …` value, quoting and escaping every parameter.
 *
 * @example
 * ```ts
 * bearerChallenge({ realm: 'api', error: 'invalid_token', errorDescription: 'token expired' });
 * // 'Bearer realm="api", error="invalid_token", error_description="token expired"'
 * ```
 */
export function bearerChallenge(challenge: BearerChallenge): string {
  let value = `Bearer realm=${quote(challenge.realm ?? DEFAULT_REALM)}`;
  if (challenge.error) value += `, error=${quote(challenge.error)}`;
  if (challenge.errorDescription) value += `, error_description=${quote(challenge.errorDescription)}`;
  if (challenge.scope) value += `, scope=${quote(challenge.scope)}`;
  return value;
}

/**
 * The one mapping from an {@link AuthError} to an HTTP response that every adapter uses: 401 with a
 * Bearer challenge (`error="invalid_token"` only when a token was presented and rejected), 400
 * `invalid_request`, 403 (`insufficient_scope` with the missing scopes), 429 with `Retry-After` and the
 * RateLimit headers, or 503 with `Retry-After` when the identity provider is unreachable.
 *
 * @example
 * ```ts
 * const { status, headers, body } = authErrorResponse(err, { realm: 'telemetry' });
 * res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
 * ```
 */
export function authErrorResponse(error: AuthError, options: { realm?: string } = {}): AuthErrorResponse {
  const realm = options.realm ?? DEFAULT_REALM;
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (error.status === 401 || error.status === 400 || error instanceof InsufficientScopeError) {
    headers['www-authenticate'] = bearerChallenge({
      realm,
      error: error.bearerError,
      errorDescription: error.bearerError ? error.message : undefined,
      scope: error instanceof InsufficientScopeError ? error.required.join(' ') : undefined,
    });
  }
  if (error instanceof IssuerUnavailableError) headers['retry-after'] = String(error.retryAfterSecs);
  if (error instanceof RateLimitedError) {
    // draft-ietf-httpapi-ratelimit-headers: the policy (quota q per window w) and what is left of it.
    headers['retry-after'] = String(error.retryAfterSecs);
    headers['ratelimit-policy'] = `"${error.policy}";q=${error.limit};w=${error.windowSecs}`;
    headers.ratelimit = `"${error.policy}";r=0;t=${error.retryAfterSecs}`;
  }
  return {
    status: error.status,
    headers,
    body: { error: error.bearerError ?? error.code, error_description: error.message },
  };
}

// RFC 7230 quoted-string, restricted to the characters RFC 6750 §3 allows in its parameters.
function quote(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
