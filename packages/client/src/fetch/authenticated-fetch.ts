import { createDpopFetch } from '../dpop/fetch.js';
import type { DpopKey } from '../dpop/key.js';
import type { TokenSource } from '../sources/token-source.js';
import type { FetchLike } from './fetch-like.js';

/**
 * Options of {@link createAuthenticatedFetch}.
 *
 * @example
 * ```ts
 * import { createAuthenticatedFetch, createApiKeySource, type AuthenticatedFetchOptions } from '@gatehouse/client';
 * const options: AuthenticatedFetchOptions = { fetch: (input, init) => fetch(input, init) };
 * const fetchWithKey = createAuthenticatedFetch(createApiKeySource(), options);
 * ```
 */
export interface AuthenticatedFetchOptions {
  /** The underlying fetch. Default: the global `fetch`. */
  fetch?: FetchLike;
  /**
   * Send the token as a DPoP-bound one (RFC 9449): `Authorization: DPoP <token>` and a fresh proof signed
   * with this key on every request, server nonces followed (see {@link createDpopFetch}). The tokens must
   * have been requested with the same key (`createOidcClient({ dpop })`).
   */
  dpop?: DpopKey;
}

/**
 * Wraps `fetch` so every request carries `Authorization: Bearer <token>` from `source`. On a 401 it tells the
 * source the token was rejected, gets a renewed one and retries the request once; a second 401 is returned
 * as is (never a loop). A source whose token does not change (an API key) is not retried. With `dpop`,
 * the token goes as `DPoP` with a proof per request instead.
 *
 * @example
 * ```ts
 * import { createAuthenticatedFetch, type TokenSource } from '@gatehouse/client';
 *
 * declare const source: TokenSource;
 * const fetchWithAuth = createAuthenticatedFetch(source);
 * const res = await fetchWithAuth('https://api.example.com/v1/whoami');
 * console.log(await res.json());
 * ```
 */
export function createAuthenticatedFetch(
  source: TokenSource,
  options: AuthenticatedFetchOptions = {},
): FetchLike {
  if (options.dpop)
    return createDpopFetch(source, options.dpop, options.fetch ? { fetch: options.fetch } : {});
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  return async (input, init) => {
    // A Request can be sent once; keep a clone (its body teed) for the possible retry.
    const request = new Request(input, init);
    const spare = request.clone();
    const token = await source.getToken();
    const first = await baseFetch(withBearer(request, token));
    if (first.status !== 401 || !source.invalidate) return first;
    source.invalidate(token);
    const renewed = await source.getToken();
    if (renewed === token) return first;
    await first.body?.cancel().catch(() => {});
    return baseFetch(withBearer(spare, renewed));
  };
}

function withBearer(request: Request, token: string): Request {
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}
