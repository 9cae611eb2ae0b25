import {
  type AdapterOptions,
  type AuthContext,
  type AuthRequirement,
  authorizationHeader,
  createGatehouse,
  type RouteHelpers,
} from '@gatehouse/core';
import type { Context, Middleware, Next } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /**
     * The identity Gatehouse authenticated. Always set behind the required middleware and the route
     * helpers; on public paths and optional routes without credentials it is undefined.
     */
    auth: AuthContext;
  }
}

/** Options of {@link gatehouse}: those of `@gatehouse/core`'s `createGatehouse`, plus Koa specifics. */
export interface GatehouseKoaOptions extends AdapterOptions {
  /**
   * `respond` (default) answers failures itself (401/403/400/503 with `WWW-Authenticate` and a JSON body);
   * `throw` throws the `AuthError` (with Koa's `status`, `expose` and `headers`) for an upstream error handler.
   */
  readonly onError?: 'respond' | 'throw';
}

/** The middleware, plus route-level helpers (for `@koa/router`) that share its provider and caches. */
export interface GatehouseKoaMiddleware extends Middleware, RouteHelpers<Middleware> {}

/**
 * Creates the Gatehouse middleware for Koa. With no `provider`, it configures itself from the
 * `GATEHOUSE_*` environment and throws at start-up when that is missing or malformed (fail closed).
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { gatehouse } from '@gatehouse/koa';
 *
 * const auth = gatehouse({ publicPaths: ['/health'] });
 * const router = new Router();
 * router.get('/health', (ctx) => { ctx.body = { ok: true }; });
 * router.get('/v1/whoami', (ctx) => { ctx.body = { subject: ctx.state.auth.subject }; });
 * router.get('/v1/admin/status', auth.admin(), (ctx) => { ctx.body = { ok: true }; });
 * new Koa().use(auth).use(router.routes()).listen(3000);
 * ```
 */
export function gatehouse(options: GatehouseKoaOptions = {}): GatehouseKoaMiddleware {
  const gate = createGatehouse(options);
  const throwErrors = options.onError === 'throw';
  const hasPublicPaths = (options.publicPaths?.length ?? 0) > 0;

  const fail = (ctx: Context, err: unknown): void => {
    const answer = gate.respond(err);
    if (answer === undefined) throw err;
    if (throwErrors) {
      throw Object.assign(err as Error, { expose: true, headers: answer.headers, status: answer.status });
    }
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
  };

  const check = (ctx: Context, auth: AuthContext, requirement: AuthRequirement | undefined, next: Next) => {
    const denied = requirement && gate.authorize(auth, requirement);
    if (denied) return fail(ctx, denied);
    return next();
  };

  const verify = async (
    ctx: Context,
    next: Next,
    header: string | string[] | undefined,
    optional: boolean,
    requirement: AuthRequirement | undefined,
  ) => {
    let auth: AuthContext | undefined;
    try {
      auth = optional ? await gate.authenticate(header, { optional: true }) : await gate.authenticate(header);
    } catch (err) {
      return fail(ctx, err);
    }
    if (auth === undefined) return next();
    ctx.state.auth = auth;
    return check(ctx, auth, requirement, next);
  };

  // Not an async function: a known API key or cached token is answered synchronously, without the
  // promise and ticks an async function adds to every request.
  const authenticate = (optional: boolean, requirement?: AuthRequirement): Middleware =>
    function gatehouseAuthenticate(ctx, next) {
      const existing = ctx.state.auth as AuthContext | undefined;
      if (existing !== undefined) return check(ctx, existing, requirement, next);
      const header = authorizationHeader(ctx.req.rawHeaders);
      const known = gate.peek(header);
      if (known === undefined) return verify(ctx, next, header, optional, requirement);
      ctx.state.auth = known;
      return check(ctx, known, requirement, next);
    };

  const required = authenticate(false);
  const optional = authenticate(true);
  const main = options.mode === 'optional' ? optional : required;

  const middleware = function gatehouseMiddleware(ctx: Context, next: Next) {
    if (hasPublicPaths && gate.isPublic(ctx.path)) return next();
    return main(ctx, next);
  } as GatehouseKoaMiddleware;
  Object.assign(middleware, {
    gate,
    required: () => required,
    optional: () => optional,
    admin: () => authenticate(false, { admin: true }),
    scopes: (...scopes: string[]) => authenticate(false, { scopes }),
  });
  return middleware;
}
