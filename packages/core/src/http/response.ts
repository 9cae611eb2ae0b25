import {
  type AuthError,
  type AuthErrorStatus,
  DpopNonceError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
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

/** The parameters both challenges may carry besides their own (RFC 6750 §3, RFC 9470 §3, RFC 9728 §5.1). */
interface ChallengeParams {
  error?: string;
  errorDescription?: string;
  /** Space-separated scopes that would satisfy the request. */
  scope?: string;
  /** RFC 9470: the authentication context classes to authenticate with, space-separated. */
  acrValues?: string;
  /** RFC 9470: the greatest age of the login, in seconds. */
  maxAge?: number;
  /** RFC 9728: the absolute URL of the protected resource metadata. */
  resourceMetadata?: string;
}

/** Parameters of a Bearer challenge (RFC 6750 §3). */
export interface BearerChallenge extends ChallengeParams {
  realm?: string;
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
  return `Bearer ${[`realm=${quote(challenge.realm ?? DEFAULT_REALM)}`, ...params(challenge)].join(', ')}`;
}

/** Parameters of a DPoP challenge (RFC 9449 §7.1). */
export interface DpopChallenge extends ChallengeParams {
  /** The proof algorithms accepted, advertised as `algs`. */
  algs?: readonly string[];
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
  const list = params(challenge);
  if (challenge.algs && challenge.algs.length > 0) list.unshift(`algs=${quote(challenge.algs.join(' '))}`);
  return list.length === 0 ? 'DPoP' : `DPoP ${list.join(', ')}`;
}

function params(challenge: ChallengeParams): string[] {
  const list: string[] = [];
  if (challenge.error) list.push(`error=${quote(challenge.error)}`);
  if (challenge.errorDescription) list.push(`error_description=${quote(challenge.errorDescription)}`);
  if (challenge.scope) list.push(`scope=${quote(challenge.scope)}`);
  if (challenge.acrValues) list.push(`acr_values=${quote(challenge.acrValues)}`);
  if (challenge.maxAge !== undefined) list.push(`max_age=${quote(String(challenge.maxAge))}`);
  if (challenge.resourceMetadata) list.push(`resource_metadata=${quote(challenge.resourceMetadata)}`);
  return list;
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
  /**
   * The absolute URL of the protected resource metadata (RFC 9728 §5.1), when a resource is configured:
   * every challenge carries it as `resource_metadata`.
   */
  readonly resourceMetadata?: string;
  /**
   * The scopes of the route that refused the request: a 401 names them in `scope`, so that a client
   * asks for them when it authorizes (RFC 6750 §3, as MCP clients do).
   */
  readonly scopes?: readonly string[];
}

/**
 * The one mapping from an {@link AuthError} to an HTTP response that every adapter uses: 401 with a
 * Bearer challenge (`error="invalid_token"` only when a token was presented and rejected), and a DPoP
 * challenge where DPoP is accepted; 401 `insufficient_user_authentication` with `acr_values` and/or
 * `max_age` for a step-up (RFC 9470); 400 `invalid_request`; 403 (`insufficient_scope` with the scopes
 * that would satisfy the route); 429 with `Retry-After` and the RateLimit headers; or 503 with
 * `Retry-After` when the identity provider or the authorization backend is unreachable. The error code
 * goes on the challenge of the scheme at fault: DPoP failures and a DPoP request's failures on the DPoP
 * one. With a resource configured, every challenge carries `resource_metadata` (RFC 9728 §5.1).
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
    const bearerCode = dpopCode === undefined ? error.bearerError : undefined;
    // What the error's challenge says beyond the code: the scopes, and a step-up's acr_values and max_age.
    const detail: ChallengeParams = {
      errorDescription: error.message,
      scope: scopeOf(error, options.scopes),
      ...(error instanceof InsufficientUserAuthenticationError
        ? { acrValues: error.acrValues?.join(' '), maxAge: error.maxAge }
        : {}),
    };
    const common = { resourceMetadata: options.resourceMetadata };
    // With no error code anywhere (no credentials), the scopes still go on the Bearer challenge.
    const bearer = bearerCode ? { error: bearerCode, ...detail } : dpopCode ? {} : { scope: detail.scope };
    let value = bearerChallenge({ realm, ...bearer, ...common });
    if (dpopCode !== undefined || (options.dpop !== undefined && error.status === 401)) {
      const dpop = dpopCode ? { error: dpopCode, ...detail } : {};
      value += `, ${dpopChallenge({ algs: options.dpop?.algs, ...dpop, ...common })}`;
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

// The scopes a challenge names: those a refused scope check or step-up needed, else (on a 401) the
// refusing route's.
function scopeOf(error: AuthError, routeScopes: readonly string[] | undefined): string | undefined {
  const scopes =
    error instanceof InsufficientScopeError
      ? error.required
      : error instanceof InsufficientUserAuthenticationError
        ? error.scopes
        : error.status === 401
          ? routeScopes
          : undefined;
  return scopes && scopes.length > 0 ? scopes.join(' ') : undefined;
}

// RFC 7230 quoted-string, restricted to the characters RFC 6750 §3 allows in its parameters.
function quote(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
