import type { TokenSource } from '../sources/token-source.js';

/**
 * A `fetch`-compatible function.
 *
 * @example
 * ```ts
 * import type { FetchLike } from '@gatehouse/client';
 * const logged: FetchLike = async (input, init) => fetch(input, init);
 * ```
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

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
}

/**
 * Wraps `fetch` so every request carries `Authorization: Bearer <token>` from `source`. On a 401 it tells the
 * source the token was rejected, gets a renewed one and retries the request once; a second 401 is returned
 * as is (never a loop). A source whose token does not change (an API key) is not retried.
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
