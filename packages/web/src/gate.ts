import {
  type AdapterOptions,
  type AuthContext,
  createGatehouse,
  type Decision,
  type RouteHelpers,
  webBodyReader,
  withRouteHelpers,
} from '@gatehouse/core';
import { answerResponse } from './response.js';
import { type WebConnection, WebRequestView } from './view.js';

/** Options of {@link gatehouse}: the configuration and options of `@gatehouse/core`. */
export interface GatehouseWebOptions extends AdapterOptions {}

/**
 * What a check is told of the connection: what the server knows, or a function that finds it when a step
 * needs it (called at most once per request).
 *
 * @example
 * ```ts
 * const decision = await auth(request, () => serverConnection(request, server));
 * ```
 */
export type ConnectionSource = WebConnection | (() => WebConnection);

/**
 * Decides one Web `Request`: synchronously when no I/O is needed (a known API key, a cached token), as
 * a promise otherwise. `prior` is an identity an earlier step of this request already established (then
 * only this check's requirement runs).
 */
export interface WebCheck {
  (request: Request, connection?: ConnectionSource, prior?: AuthContext): Decision | Promise<Decision>;
  /**
   * The main check only, with `routes` configured: the `Response` of the operational route `request` is
   * for (`/ready`, `/metrics`, the revocation admin routes, back-channel logout), or undefined (at once)
   * when it is for none. {@link withGatehouse} and {@link guard} answer these before the check runs.
   */
  readonly serveRoute?: (request: Request, connection?: ConnectionSource) => Promise<Response> | undefined;
  /**
   * The gate's work that no request awaits (key sets loading in the background), for a Worker's
   * `ctx.waitUntil`: workerd cancels a request's unfinished I/O once it has answered. {@link withGatehouse}
   * and {@link guard} hand it over when the handler is given an execution context.
   */
  readonly pendingWork?: () => Promise<void> | undefined;
}

/**
 * The main check (public paths skipped), plus the route-level checks sharing its configuration and caches;
 * `authorize(action, resource)` takes the resource, or a function of the `Request` that finds it.
 */
export interface WebGatehouse extends WebCheck, RouteHelpers<WebCheck, Request> {}

/**
 * Creates the Gatehouse check for the fetch API: a Web `Request` (and what the server knows of its
 * connection) in, a `Decision` out. Runs unchanged on Node (undici), Bun, Deno and Cloudflare workerd
 * (where the gate is built on the first request: see {@link lazyGatehouse}). Configured by its options
 * (`apiKeys`, `oidc`, `admins`, `routes`, …); every `GATEHOUSE_*` variable fills what they leave out.
 * Throws at start-up when the configuration is missing or malformed, naming the variable or the field.
 *
 * @example
 * ```ts
 * import { gatehouse, withGatehouse } from '@gatehouse/web';
 *
 * const auth = gatehouse({ routes: true, publicPaths: ['/health'] }); // GATEHOUSE_* configure the rest
 * // Bun.serve, Deno.serve or @hono/node-server; /ready, /metrics and the admin routes are answered too.
 * Deno.serve(withGatehouse(auth, (_request, gated) => Response.json({ subject: gated.auth?.subject })));
 * ```
 */
export function gatehouse(options: GatehouseWebOptions = {}): WebGatehouse {
  const gate = createGatehouse(options);
  const routes = gate.routes;
  const pendingWork = () => gate.pendingWork();
  return withRouteHelpers<WebCheck, Request>(gate, options, (route, main) => {
    const check: WebCheck = Object.assign(
      function gatehouseCheck(request: Request, connection?: ConnectionSource, prior?: AuthContext) {
        // The Request is the input of the route's `authorize` resource function, if it has one.
        return gate.handle(new WebRequestView(request, connection), route, prior, request);
      },
      { pendingWork },
    );
    if (!main || routes === undefined) return check;
    const serveRoute = (request: Request, connection?: ConnectionSource) => {
      const view = new WebRequestView(request, connection);
      const match = routes.match(request.method, view.path);
      if (match === undefined) return undefined;
      return routes.serve(match, view, webBodyReader(request)).then((a) => answerResponse(a, request.method));
    };
    return Object.assign(check, { serveRoute });
  }) as WebGatehouse;
}
