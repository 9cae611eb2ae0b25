import {
  type AdapterOptions,
  type AuthContext,
  createGatehouse,
  type RouteHelpers,
  withRouteHelpers,
} from '@gatehouse/core';
import { refusalResponse, WebRequestView } from '@gatehouse/web';
import type { Context, MiddlewareHandler } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { connectionReader } from './conn-info.js';

/** The context variables Gatehouse sets: `c.get('auth')`. */
export interface GatehouseVariables {
  /**
   * The identity Gatehouse authenticated: set behind the middleware and the route helpers, undefined on
   * public paths and on optional routes without credentials. Read it with `authOf(c)` where it is required.
   */
  auth: AuthContext | undefined;
}

declare module 'hono' {
  interface ContextVariableMap extends GatehouseVariables {}
}

/** The Hono environment of a Gatehouse middleware, for `new Hono<GatehouseEnv>()` and typed handlers. */
export type GatehouseEnv = { Variables: GatehouseVariables };

/** Options of {@link gatehouse}: the configuration and options of `@gatehouse/core`, plus Hono specifics. */
export interface GatehouseHonoOptions extends AdapterOptions {
  /**
   * How the client's address is found (the failed-auth throttle counts it; `trustProxy` reads
   * `X-Forwarded-For` instead): a Hono `getConnInfo` (`@hono/node-server/conninfo`, `hono/bun`,
   * `hono/deno`, `hono/cloudflare-workers`). Default: read from the server's bindings in `c.env` on
   * `@hono/node-server`, `Bun.serve` and `Deno.serve`, which also gives the listening origin on Node.
   */
  readonly getConnInfo?: GetConnInfo;
}

/** The middleware, plus route-level helpers that share its configuration and caches. */
export interface GatehouseMiddleware
  extends MiddlewareHandler<GatehouseEnv>,
    RouteHelpers<MiddlewareHandler<GatehouseEnv>> {}

/**
 * Creates the Gatehouse middleware for Hono 4. Configured by its options (`apiKeys`, `oidc`, `admins`,
 * …) or, with none, from the `GATEHOUSE_*` environment; throws at start-up when that is missing or
 * malformed. Refusals are answered with the Gatehouse response (status, `WWW-Authenticate`, JSON body).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { authOf, gatehouse } from '@gatehouse/hono';
 *
 * const auth = gatehouse({
 *   oidc: { issuers: [{ issuer: 'https://login.example.com', audience: 'my-api' }] },
 *   admins: ['alice@example.com'],
 *   publicPaths: ['/health'],
 * });
 * const app = new Hono();
 * app.use(auth);
 * app.get('/health', (c) => c.json({ ok: true }));
 * app.get('/v1/whoami', (c) => c.json({ subject: authOf(c).subject }));
 * app.get('/v1/admin/status', auth.admin(), (c) => c.json({ ok: true }));
 * ```
 */
export function gatehouse(options: GatehouseHonoOptions = {}): GatehouseMiddleware {
  const gate = createGatehouse(options);
  const connectionOf = connectionReader(options.getConnInfo);

  return withRouteHelpers<MiddlewareHandler<GatehouseEnv>>(
    gate,
    options,
    (route) =>
      async function gatehouseMiddleware(c, next) {
        const view = new WebRequestView(c.req.raw, () => connectionOf(c), c.req.path);
        const pending = gate.handle(view, route, c.get('auth'));
        const decision = pending instanceof Promise ? await pending : pending;
        if (!decision.admitted) return refusalResponse(decision);
        if (decision.auth !== undefined) c.set('auth', decision.auth);
        await next();
        if (decision.headers !== undefined) {
          for (const [name, value] of Object.entries(decision.headers)) c.header(name, value);
        }
      },
  ) as GatehouseMiddleware;
}

/**
 * The identity of a request on a route that requires authentication, typed as present. Throws (a
 * programming error, answered 500) when the route is not behind a required Gatehouse step.
 *
 * @example
 * ```ts
 * app.get('/v1/whoami', (c) => c.json({ subject: authOf(c).subject }));
 * ```
 */
export function authOf(c: Context): AuthContext {
  const auth = c.get('auth');
  if (auth === undefined) {
    throw new Error(
      'no authenticated identity on this request: the route is not behind a required Gatehouse step',
    );
  }
  return auth;
}
