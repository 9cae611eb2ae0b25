import type { AuthContext, Decision } from '@gatehouse/core';
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
 * A Cloudflare Worker's execution context (the third argument of its `fetch`): what keeps work alive
 * after the response.
 *
 * @example
 * ```ts
 * const pending = auth.pendingWork?.();
 * if (pending !== undefined) ctx.waitUntil(pending);
 * ```
 */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Wraps a fetch-style handler (a Next.js route handler, a Worker's `fetch`, `Bun.serve`'s or
 * `Deno.serve`'s handler) behind a check: the main check's operational routes (`routes`) are answered,
 * refusals get the Gatehouse response, admitted requests reach `handler` with their identity, and the
 * check's response headers (a DPoP nonce) are added to its answer. Given a Worker's execution context
 * (its third argument), the gate's background work is handed to `waitUntil`.
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
): (request: Request, context: Context, execution?: ExecutionContextLike) => Promise<Response> {
  const gateOf = gateFor(check, options);
  return async function gatehouseHandler(request, context, execution) {
    const outcome = await gateOf(request, context, execution);
    if ('served' in outcome) return outcome.served;
    const { decision } = outcome;
    if (!decision.admitted) return refusalResponse(decision);
    const gated: Gated = decision.auth === undefined ? {} : { auth: decision.auth };
    return withHeaders(await handler(request, gated, context), decision.headers);
  };
}

/**
 * A guard for a front controller (Next.js `proxy.ts`, a Worker's first step): the operational route's
 * `Response` or the refusal when `check` answers the request itself, undefined when it may go on. The
 * identity is not passed on (headers forwarded to the next hop could be forged); handlers that need it
 * run {@link withGatehouse}, which finds a token the guard verified in the cache.
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
): (request: Request, context: Context, execution?: ExecutionContextLike) => Promise<Response | undefined> {
  const gateOf = gateFor(check, options);
  return async function gatehouseGuard(request, context, execution) {
    const outcome = await gateOf(request, context, execution);
    if ('served' in outcome) return outcome.served;
    return outcome.decision.admitted ? undefined : refusalResponse(outcome.decision);
  };
}

// What the check makes of a request: an operational route's answer, or the decision on the request.
type Outcome = { readonly served: Response } | { readonly decision: Decision };

function gateFor<Context>(
  check: WebCheck,
  options: WrapOptions<Context>,
): (request: Request, context: Context, execution: ExecutionContextLike | undefined) => Promise<Outcome> {
  const connectionOf = connectionReader(options);
  return async (request, context, execution) => {
    // Found once, when a step needs it (the throttle, a DPoP htu, a certificate binding, a lazy gate's env).
    let known: WebConnection | undefined;
    const connection = () => (known ??= connectionOf(request, context));
    const served = check.serveRoute?.(request, connection);
    if (served !== undefined) return { served: await keepAlive(check, execution, served) };
    return { decision: await keepAlive(check, execution, check(request, connection)) };
  };
}

// The check's answer, after handing the gate's background work (a key set loading) to the Worker's
// waitUntil: workerd would otherwise cancel it when this request answers.
function keepAlive<T>(check: WebCheck, execution: ExecutionContextLike | undefined, answer: T): T {
  if (typeof execution?.waitUntil === 'function') {
    const pending = check.pendingWork?.();
    if (pending !== undefined) execution.waitUntil(pending);
  }
  return answer;
}

// The caller's connection function, if any, with the handler's context kept as `env` (a lazy gate's).
function connectionReader<Context>(
  options: WrapOptions<Context>,
): (request: Request, context: Context) => WebConnection {
  const given = options.connection;
  if (given === undefined) return serverConnection;
  return (request, context) => ({ env: context, ...given(request, context) });
}
