import {
  type AdapterOptions,
  type AuthContext,
  createGatehouse,
  type Decision,
  type RouteHelpers,
  withRouteHelpers,
} from '@gatehouse/core';
import { type WebConnection, WebRequestView } from './view.js';

/** Options of {@link gatehouse}: the configuration and options of `@gatehouse/core`. */
export interface GatehouseWebOptions extends AdapterOptions {}

/**
 * Decides one Web `Request`: synchronously when no I/O is needed (a known API key, a cached token), as
 * a promise otherwise. `prior` is an identity an earlier step of this request already established (then
 * only this check's requirement runs).
 */
export type WebCheck = (
  request: Request,
  connection?: WebConnection,
  prior?: AuthContext,
) => Decision | Promise<Decision>;

/** The main check (public paths skipped), plus the route-level checks sharing its configuration and caches. */
export interface WebGatehouse extends WebCheck, RouteHelpers<WebCheck> {}

/**
 * Creates the Gatehouse check for the fetch API: a Web `Request` (and what the server knows of its
 * connection) in, a `Decision` out. Runs unchanged on Node (undici), Bun, Deno and Cloudflare workerd.
 * Configured by its options (`apiKeys`, `oidc`, `admins`, …) or, with none, from the `GATEHOUSE_*`
 * environment; throws at start-up when that is missing or malformed.
 *
 * @example
 * ```ts
 * import { gatehouse, refusalResponse } from '@gatehouse/web';
 *
 * const auth = gatehouse({ apiKeys: [{ name: 'svc', key: 'secret-key-123' }], publicPaths: ['/health'] });
 * Deno.serve(async (request, info) => {
 *   const decision = await auth(request, { address: info.remoteAddr.hostname });
 *   if (!decision.admitted) return refusalResponse(decision);
 *   return Response.json({ subject: decision.auth?.subject });
 * });
 * ```
 */
export function gatehouse(options: GatehouseWebOptions = {}): WebGatehouse {
  const gate = createGatehouse(options);
  return withRouteHelpers<WebCheck>(
    gate,
    options,
    (route) =>
      function gatehouseCheck(request, connection, prior) {
        return gate.handle(new WebRequestView(request, connection), route, prior);
      },
  ) as WebGatehouse;
}
