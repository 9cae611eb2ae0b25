import type { AuthContext } from '@gatehouse/core';
import type { WebCheck } from './gate.js';
import { refusalResponse, withHeaders } from './response.js';
import { serverConnection } from './server-connection.js';
import type { WebConnection } from './view.js';

/** What a wrapped handler learns of its request: the identity, when the check established one. */
export interface Gated {
  /** Undefined on public paths and on optional checks without credentials; read it with `authOf(gated)`. */
  readonly auth?: AuthContext;
}

/** How a wrapper learns the client's connection, which a `Request` does not carry. */
export interface WrapOptions<Context> {
  /**
   * The connection of `request` (address, listening origin, client certificate). Default:
   * {@link serverConnection} of the handler's second argument (`@hono/node-server`, Bun, Deno).
   */
  readonly connection?: (request: Request, context: Context) => WebConnection | undefined;
}

/**
 * Wraps a fetch-style handler (a Next.js route handler, a Worker's `fetch`, `Bun.serve`'s or
 * `Deno.serve`'s handler) behind a check: refusals are answered with the Gatehouse response, admitted
 * requests reach `handler` with their identity, and the check's response headers (a DPoP nonce) are
 * added to its answer.
 *
 * @example
 * ```ts
 * // app/api/whoami/route.ts
 * import { authOf, withGatehouse } from '@gatehouse/web';
 * import { auth } from '@/lib/gatehouse';
 *
 * export const GET = withGatehouse(auth, (_request, gated) => Response.json({ subject: authOf(gated).subject }));
 * ```
 */
export function withGatehouse<Context = unknown>(
  check: WebCheck,
  handler: (request: Request, gated: Gated, context: Context) => Response | Promise<Response>,
  options: WrapOptions<Context> = {},
): (request: Request, context: Context) => Promise<Response> {
  const connectionOf = options.connection ?? serverConnection;
  return async function gatehouseHandler(request, context) {
    const decision = await check(request, connectionOf(request, context));
    if (!decision.admitted) return refusalResponse(decision);
    const gated: Gated = decision.auth === undefined ? {} : { auth: decision.auth };
    return withHeaders(await handler(request, gated, context), decision.headers);
  };
}

/**
 * A guard for a front controller (Next.js `proxy.ts`, a Worker's first step): the refusal `Response`
 * when `check` refuses the request, undefined when it may go on. The identity is not passed on (headers
 * forwarded to the next hop could be forged); handlers that need it run {@link withGatehouse}, which
 * finds a token the guard verified in the cache.
 *
 * @example
 * ```ts
 * // proxy.ts (Next.js 16)
 * import { guard } from '@gatehouse/web';
 * import { auth } from '@/lib/gatehouse';
 *
 * export const proxy = guard(auth);
 * export const config = { matcher: '/api/:path*' };
 * ```
 */
export function guard<Context = unknown>(
  check: WebCheck,
  options: WrapOptions<Context> = {},
): (request: Request, context: Context) => Promise<Response | undefined> {
  const connectionOf = options.connection ?? serverConnection;
  return async function gatehouseGuard(request, context) {
    const decision = await check(request, connectionOf(request, context));
    return decision.admitted ? undefined : refusalResponse(decision);
  };
}
