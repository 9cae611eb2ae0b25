import type { AuthErrorResponse, HttpAnswer } from '@gatehouse/core';

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

/**
 * The Web `Response` of an operational route's answer (`gate.routes.serve`). A `HEAD` request, a 204 and
 * a 304 get no body (fetch forbids one on a null-body status; a server may not strip it for HEAD).
 *
 * @example
 * ```ts
 * const answer = await gate.routes!.serve(match, new WebRequestView(request), webBodyReader(request));
 * return answerResponse(answer, request.method);
 * ```
 */
export function answerResponse(answer: HttpAnswer, method: string): Response {
  const bodiless = method === 'HEAD' || answer.status === 204 || answer.status === 304;
  return new Response(bodiless ? null : (answer.body ?? null), {
    status: answer.status,
    headers: answer.headers,
  });
}
