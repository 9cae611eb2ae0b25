import {
  type AuthError,
  type AuthErrorStatus,
  DpopNonceError,
  InsufficientScopeError,
  RateLimitedError,
} from '../errors.js';

/** Realm of the `WWW-Authenticate` challenge unless configured. */
export const DEFAULT_REALM = 'gatehouse';

/** What an adapter writes for an {@link AuthError}: status, headers and a JSON body. */
export interface AuthErrorResponse {
  readonly status: AuthErrorStatus;
  /**
   * Lower-case header names: `www-authenticate`, `retry-after`, `cache-control`, `dpop-nonce`, and on a
   * 429 `ratelimit-policy` and `ratelimit`.
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

/** Parameters of a DPoP challenge (RFC 9449 §7.1). */
export interface DpopChallenge {
  /** The proof algorithms accepted, advertised as `algs`. */
  algs?: readonly string[];
  error?: string;
  errorDescription?: string;
  scope?: string;
}

/**
 * Formats a `WWW-Authenticate: DPoP …` challenge, quoting and escaping every parameter.
 *
 * @example
 * ```ts
 * dpopChallenge({ algs: ['ES256', 'EdDSA'], error: 'invalid_dpop_proof', errorDescription: 'DPoP proof already used' });
 * // 'DPoP algs="ES256 EdDSA", error="invalid_dpop_proof", error_description="DPoP proof already used"'
 * ```
 */
export function dpopChallenge(challenge: DpopChallenge): string {
  const params: string[] = [];
  if (challenge.algs && challenge.algs.length > 0) params.push(`algs=${quote(challenge.algs.join(' '))}`);
  if (challenge.error) params.push(`error=${quote(challenge.error)}`);
  if (challenge.errorDescription) params.push(`error_description=${quote(challenge.errorDescription)}`);
  if (challenge.scope) params.push(`scope=${quote(challenge.scope)}`);
  return params.length === 0 ? 'DPoP' : `DPoP ${params.join(', ')}`;
}

/** How {@link authErrorResponse} words its challenges. */
export interface ChallengeOptions {
  /** Realm of the Bearer challenge. Default `gatehouse`. */
  readonly realm?: string;
  /**
   * Set when some issuer accepts DPoP: 401s then carry a `DPoP algs="…"` challenge next to the Bearer
   * one (RFC 9449 §7.2). `nonce`, when set, is sent as `DPoP-Nonce` with DPoP failures.
   */
  readonly dpop?: { readonly algs: readonly string[]; readonly nonce?: string };
  /** The scheme the request used: its challenge carries the error (default `Bearer`). */
  readonly scheme?: 'Bearer' | 'DPoP';
}

/**
 * The one mapping from an {@link AuthError} to an HTTP response that every adapter uses: 401 with a
 * Bearer challenge (`error="invalid_token"` only when a token was presented and rejected), and a DPoP
 * challenge where DPoP is accepted; 400 `invalid_request`; 403 (`insufficient_scope` with the missing
 * scopes); 429 with `Retry-After` and the RateLimit headers; or 503 with `Retry-After` when the identity
 * provider or the authorization service is unreachable. The error code goes on the challenge of the scheme at fault: DPoP failures and
 * a DPoP request's failures on the DPoP one.
 *
 * @example
 * ```ts
 * const { status, headers, body } = authErrorResponse(err, { realm: 'telemetry' });
 * res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
 * ```
 */
export function authErrorResponse(error: AuthError, options: ChallengeOptions = {}): AuthErrorResponse {
  const realm = options.realm ?? DEFAULT_REALM;
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const dpopCode = error.dpopError ?? (options.scheme === 'DPoP' ? error.bearerError : undefined);
  if (error.status === 401 || error.bearerError !== undefined) {
    const scope = error instanceof InsufficientScopeError ? error.required.join(' ') : undefined;
    const bearerCode = dpopCode === undefined ? error.bearerError : undefined;
    let value = bearerChallenge({
      realm,
      error: bearerCode,
      errorDescription: bearerCode ? error.message : undefined,
      scope: bearerCode ? scope : undefined,
    });
    if (dpopCode !== undefined || (options.dpop !== undefined && error.status === 401)) {
      value += `, ${dpopChallenge({
        algs: options.dpop?.algs,
        error: dpopCode,
        errorDescription: dpopCode ? error.message : undefined,
        scope: dpopCode ? scope : undefined,
      })}`;
    }
    headers['www-authenticate'] = value;
  }
  // An outage (identity provider, shared state) or a limit: when to come back.
  const retryAfter = (error as { retryAfterSecs?: unknown }).retryAfterSecs;
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  if (error instanceof DpopNonceError) headers['dpop-nonce'] = error.nonce;
  else if (options.dpop?.nonce !== undefined && error.dpopError !== undefined) {
    headers['dpop-nonce'] = options.dpop.nonce;
  }
  if (error instanceof RateLimitedError) {
    // draft-ietf-httpapi-ratelimit-headers: the policy (quota q per window w) and what is left of it.
    headers['ratelimit-policy'] = `"${error.policy}";q=${error.limit};w=${error.windowSecs}`;
    headers.ratelimit = `"${error.policy}";r=0;t=${error.retryAfterSecs}`;
  }
  return {
    status: error.status,
    headers,
    body: {
      error: error.dpopError ?? error.bearerError ?? error.bodyError ?? error.code,
      error_description: error.message,
    },
  };
}

// RFC 7230 quoted-string, restricted to the characters RFC 6750 §3 allows in its parameters.
function quote(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
