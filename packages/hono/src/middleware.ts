import {
  type AdapterOptions,
  type AuthContext,
  type BodyReader,
  createGatehouse,
  type Decision,
  lazyRouteHelpers,
  type RouteHelpers,
  webBodyReader,
  withRouteHelpers,
} from '@gatehouse/core';
import { answerResponse, refusalResponse, WebRequestView } from '@gatehouse/web';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { connectionReader } from './conn-info.js';
import { keepAlive } from './keep-alive.js';

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
    RouteHelpers<MiddlewareHandler<GatehouseEnv>, Context> {}

type Middleware = MiddlewareHandler<GatehouseEnv>;

/**
 * Creates the Gatehouse middleware for Hono 4. Configured by its options (`apiKeys`, `oidc`, `admins`,
 * `routes`, …); every `GATEHOUSE_*` variable fills what they leave out. Throws at start-up when the
 * configuration is missing or malformed, naming the variable or the field. Refusals are answered with
 * the Gatehouse response (status, `WWW-Authenticate`, JSON body); with `routes`, the main middleware also
 * answers `/ready`, `/metrics`, the revocation admin routes and back-channel logout.
 *
 * Given a function instead, the gate is built on the first request from the options it returns for that
 * request's `c.env`: on Cloudflare workerd, whose `GATEHOUSE_*` variables are the Worker's bindings and
 * which refuses timers and random values outside a request (configuration errors then surface on that
 * first request).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { authOf, gatehouse } from '@gatehouse/hono';
 *
 * const auth = gatehouse({ routes: true, publicPaths: ['/health'] }); // GATEHOUSE_* configure the rest
 * const app = new Hono();
 * app.use(auth); // also serves /ready, /metrics, /v1/admin/revocations and /v1/backchannel-logout
 * app.get('/health', (c) => c.json({ ok: true }));
 * app.get('/v1/whoami', (c) => c.json({ subject: authOf(c).subject }));
 * app.get('/v1/admin/status', auth.admin(), (c) => c.json({ ok: true }));
 * // On workerd: gatehouse((env) => ({ env, routes: true, publicPaths: ['/health'] }))
 * ```
 */
export function gatehouse<Bindings extends object = Readonly<Record<string, unknown>>>(
  options: GatehouseHonoOptions | ((env: Bindings | undefined) => GatehouseHonoOptions) = {},
): GatehouseMiddleware {
  if (typeof options !== 'function') return eager(options);
  return lazyRouteHelpers<Middleware, Context>((first) =>
    eager(options(first?.[0].env as Bindings | undefined)),
  );
}

function eager(options: GatehouseHonoOptions): GatehouseMiddleware {
  const gate = createGatehouse(options);
  const connectionOf = connectionReader(options.getConnInfo);
  const routes = gate.routes;

  return withRouteHelpers<Middleware, Context>(gate, options, (route, main) => {
    const serving = main ? routes : undefined;
    // Not an async function: a known token goes on to `next()` without the promise and tick one adds.
    return function gatehouseMiddleware(c, next) {
      const view = new WebRequestView(c.req.raw, () => connectionOf(c), c.req.path);
      if (serving !== undefined) {
        const match = serving.match(c.req.method, view.path);
        if (match !== undefined) {
          const answer = serving.serve(match, view, bodyReader(c));
          keepAlive(c, gate);
          return answer.then((a) => answerResponse(a, c.req.method));
        }
      }
      // The context is the input of the route's `authorize` resource function, if it has one.
      const decision = gate.handle(view, route, c.get('auth'), c);
      keepAlive(c, gate);
      return decision instanceof Promise
        ? decision.then((d) => proceed(c, next, d))
        : proceed(c, next, decision);
    };
  }) as GatehouseMiddleware;
}

// A refusal is answered; an admission puts the identity on the context, runs the rest of the chain and
// adds the decision's headers (a DPoP nonce) to its response.
function proceed(c: Context, next: Next, decision: Decision): Promise<Response | undefined> {
  if (!decision.admitted) return Promise.resolve(refusalResponse(decision));
  if (decision.auth !== undefined) c.set('auth', decision.auth);
  const headers = decision.headers;
  if (headers === undefined) return next() as Promise<undefined>;
  return next().then(() => {
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    return undefined;
  });
}

// The request body for core, with its limit; when the app read it already (`c.req.json()` in an earlier
// middleware), Hono's cached copy.
function bodyReader(c: Context): BodyReader {
  if (!c.req.raw.bodyUsed) return webBodyReader(c.req.raw);
  return async () => ({ text: await c.req.text() });
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
