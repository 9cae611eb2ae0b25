import type { FetchLike } from '../fetch/fetch-like.js';
import type { TokenSource } from '../sources/token-source.js';
import type { DpopKey } from './key.js';
import { createDpopProof } from './proof.js';

/**
 * Options of {@link createDpopFetch}.
 *
 * @example
 * ```ts
 * import type { DpopFetchOptions } from '@gatehouse/client';
 * const options: DpopFetchOptions = { fetch: (input, init) => fetch(input, init) };
 * ```
 */
export interface DpopFetchOptions {
  /** The underlying fetch. Default: the global `fetch`. */
  fetch?: FetchLike;
}

/**
 * Wraps `fetch` so every request carries `Authorization: DPoP <token>` and a fresh proof signed with `key`
 * (RFC 9449 §7). Nonces the server hands out (`DPoP-Nonce`) are remembered per origin and used in later
 * proofs; a 401 `use_dpop_nonce` is retried once with the new nonce, and a 401 `invalid_token` once with a
 * renewed token, as {@link createAuthenticatedFetch} does. The token must be bound to `key`.
 *
 * @example
 * ```ts
 * import { createDpopFetch, generateDpopKey, type TokenSource } from '@gatehouse/client';
 * declare const source: TokenSource; // tokens requested with the same key
 * const key = await generateDpopKey();
 * const res = await createDpopFetch(source, key)('https://api.example.com/v1/whoami');
 * ```
 */
export function createDpopFetch(
  source: TokenSource,
  key: DpopKey,
  options: DpopFetchOptions = {},
): FetchLike {
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const nonces = new Map<string, string>();

  const send = async (request: Request, token: string): Promise<Response> => {
    const origin = new URL(request.url).origin;
    const proof = await createDpopProof(key, {
      method: request.method,
      url: request.url,
      accessToken: token,
      nonce: nonces.get(origin),
    });
    const headers = new Headers(request.headers);
    headers.set('authorization', `DPoP ${token}`);
    headers.set('dpop', proof);
    const response = await baseFetch(new Request(request, { headers }));
    const nonce = response.headers.get('dpop-nonce');
    if (nonce) nonces.set(origin, nonce);
    return response;
  };

  return async (input, init) => {
    // A Request can be sent once; clones (bodies teed) are kept for the retries.
    const request = new Request(input, init);
    const spares = [request.clone(), request.clone()];
    let token = await source.getToken();
    let response = await send(request, token);
    for (let attempt = 0; attempt < 2 && response.status === 401; attempt++) {
      const challenge = response.headers.get('www-authenticate') ?? '';
      if (/error="use_dpop_nonce"/.test(challenge) && response.headers.get('dpop-nonce')) {
        // The nonce is remembered already: sign again with it.
      } else if (source.invalidate && /error="invalid_token"/.test(challenge)) {
        source.invalidate(token);
        const renewed = await source.getToken();
        if (renewed === token) return response;
        token = renewed;
      } else {
        return response;
      }
      await response.body?.cancel().catch(() => {});
      response = await send(spares[attempt]!, token);
    }
    return response;
  };
}
