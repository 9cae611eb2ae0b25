import type { AuthErrorResponse } from '@gatehouse/core';

/**
 * The Web `Response` for a refusal: the decision's status, its `WWW-Authenticate` (RFC 6750 / RFC 9449)
 * and other headers, and the JSON body `{ error, error_description }`, exactly as every Gatehouse
 * adapter writes it.
 *
 * @example
 * ```ts
 * const decision = await auth(request);
 * if (!decision.admitted) return refusalResponse(decision);
 * ```
 */
export function refusalResponse(refusal: AuthErrorResponse): Response {
  const headers = new Headers(refusal.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(refusal.body), { status: refusal.status, headers });
}

/**
 * `response` with `headers` added (a DPoP nonce on an admitted request, say). A response whose headers
 * are immutable (one returned by `fetch`) is copied first.
 *
 * @example
 * ```ts
 * return withHeaders(await handler(request), decision.headers);
 * ```
 */
export function withHeaders(
  response: Response,
  headers: Readonly<Record<string, string>> | undefined,
): Response {
  if (headers === undefined) return response;
  let target = response;
  try {
    for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
  } catch {
    target = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
  }
  return target;
}
