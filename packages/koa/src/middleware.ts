import {
  type AdapterOptions,
  type AuthContext,
  authOf as authOfHolder,
  createGatehouse,
  type Decision,
  type HttpAnswer,
  NodeRequestView,
  nodeBodyReader,
  type RouteHelpers,
  withRouteHelpers,
} from '@gatehouse/core';
import type { Context, Middleware, Next } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /**
     * The identity Gatehouse authenticated: set behind the middleware and the route helpers, undefined
     * on public paths and on optional routes without credentials. On routes that require
     * authentication, read it with `authOf(ctx)`, typed as present.
     */
    auth?: AuthContext;
  }
}

/** Options of {@link gatehouse}: the configuration and options of `@gatehouse/core`, plus Koa specifics. */
export interface GatehouseKoaOptions extends AdapterOptions {
  /**
   * `respond` (default) answers refusals itself (401/403/400/429/503 with `WWW-Authenticate` and a JSON
   * body); `throw` throws the `AuthError` (with Koa's `status`, `expose` and `headers`) for an upstream
   * error handler.
   */
  readonly onError?: 'respond' | 'throw';
}

/** The middleware, plus route-level helpers (for `@koa/router`) that share its configuration and caches. */
export interface GatehouseKoaMiddleware extends Middleware, RouteHelpers<Middleware, Context> {}

/**
 * Creates the Gatehouse middleware for Koa. Configured by its options (`apiKeys`, `oidc`, `admins`,
 * `routes`, …); every `GATEHOUSE_*` variable fills what they leave out. Throws at start-up when the
 * configuration is missing or malformed, naming the variable or the field.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { authOf, gatehouse } from '@gatehouse/koa';
 *
 * const auth = gatehouse({ routes: true, publicPaths: ['/health'] }); // GATEHOUSE_* configure the rest
 * const router = new Router();
 * router.get('/health', (ctx) => { ctx.body = { ok: true }; });
 * router.get('/v1/whoami', (ctx) => { ctx.body = { subject: authOf(ctx).subject }; });
 * router.get('/v1/admin/status', auth.admin(), (ctx) => { ctx.body = { ok: true }; });
 * // With `authz` configured: may this identity read this process? (403 access_denied otherwise)
 * router.get('/v1/processes/:id', auth.authorize('read', (ctx) => ({ type: 'process', id: ctx.params.id })), show);
 * new Koa().use(auth).use(router.routes()).listen(3000);
 * ```
 */
export function gatehouse(options: GatehouseKoaOptions = {}): GatehouseKoaMiddleware {
  const gate = createGatehouse(options);
  const throwErrors = options.onError === 'throw';

  const apply = (ctx: Context, decision: Decision, next: Next) => {
    if (decision.headers !== undefined) ctx.set(decision.headers);
    if (decision.admitted) {
      if (decision.auth !== undefined) ctx.state.auth = decision.auth;
      return next();
    }
    if (throwErrors) {
      const { error, headers, status } = decision;
      throw Object.assign(error, { expose: true, headers, status });
    }
    ctx.status = decision.status;
    ctx.body = decision.body;
  };

  const write = (ctx: Context, answer: HttpAnswer) => {
    ctx.status = answer.status;
    ctx.set(answer.headers);
    // An empty string, not undefined: Koa would otherwise write the status message as the body.
    if (answer.status !== 204) ctx.body = answer.body ?? '';
  };

  // Not an async function: a known token is answered without the promise and ticks an async function adds.
  return withRouteHelpers<Middleware, Context>(gate, options, (route, main) => {
    const routes = main ? gate.routes : undefined;
    return function gatehouseMiddleware(ctx, next) {
      const view = new NodeRequestView(ctx.req, ctx.path, ctx.originalUrl);
      if (routes !== undefined) {
        const match = routes.match(ctx.method, ctx.path);
        if (match !== undefined) {
          // A body parser that ran first (koa-bodyparser) leaves its result on ctx.request.body.
          const parsed = () => (ctx.request as { body?: unknown }).body;
          return routes.serve(match, view, nodeBodyReader(ctx.req, parsed)).then((a) => write(ctx, a));
        }
      }
      const decision = gate.handle(view, route, ctx.state.auth as AuthContext | undefined, ctx);
      if (decision instanceof Promise) return decision.then((d) => apply(ctx, d, next));
      return apply(ctx, decision, next);
    };
  }) as GatehouseKoaMiddleware;
}

/**
 * The identity on `ctx.state.auth`, typed as present, for routes that require authentication. Throws (a
 * programming error, answered 500) when there is none: the route is not behind a required Gatehouse step.
 *
 * @example
 * ```ts
 * router.get('/v1/whoami', (ctx) => { ctx.body = { subject: authOf(ctx).subject }; });
 * ```
 */
export function authOf(ctx: { readonly state: { readonly auth?: AuthContext | undefined } }): AuthContext {
  return authOfHolder(ctx.state);
}
