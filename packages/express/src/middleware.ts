import {
  type AdapterOptions,
  type AuthContext,
  type AuthRequirement,
  authorizationHeader,
  createGatehouse,
  type RouteHelpers,
} from '@gatehouse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  namespace Express {
    interface Request {
      /**
       * The identity Gatehouse authenticated. Always set behind the required middleware and the route
       * helpers; on public paths and optional routes without credentials it is undefined.
       */
      auth: AuthContext;
    }
  }
}

/** Options of {@link gatehouse}: those of `@gatehouse/core`'s `createGatehouse`, plus Express specifics. */
export interface GatehouseExpressOptions extends AdapterOptions {
  /**
   * `respond` (default) answers failures itself (401/403/400/503 with `WWW-Authenticate` and a JSON body);
   * `next` hands the `AuthError` to `next(err)` for apps with their own error format.
   */
  readonly onError?: 'respond' | 'next';
}

/** The middleware, plus route-level helpers that share its provider and caches. */
export interface GatehouseMiddleware extends RequestHandler, RouteHelpers<RequestHandler> {}

/**
 * Creates the Gatehouse middleware. With no `provider`, it configures itself from the `GATEHOUSE_*`
 * environment and throws at start-up when that is missing or malformed (fail closed).
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { gatehouse } from '@gatehouse/express';
 *
 * const app = express();
 * const auth = gatehouse({ publicPaths: ['/health'] });
 * app.use(auth);
 * app.get('/health', (_req, res) => void res.json({ ok: true }));
 * app.get('/v1/whoami', (req, res) => void res.json({ subject: req.auth.subject }));
 * app.get('/v1/admin/status', auth.admin(), (_req, res) => void res.json({ ok: true }));
 * ```
 */
export function gatehouse(options: GatehouseExpressOptions = {}): GatehouseMiddleware {
  const gate = createGatehouse(options);
  const passErrors = options.onError === 'next';
  const hasPublicPaths = (options.publicPaths?.length ?? 0) > 0;

  const fail = (err: unknown, res: Response, next: NextFunction): void => {
    const answer = passErrors ? undefined : gate.respond(err);
    if (answer === undefined) next(err);
    else res.status(answer.status).set(answer.headers).json(answer.body);
  };

  const authenticate = (optional: boolean, requirement?: AuthRequirement): RequestHandler =>
    function gatehouseAuthenticate(req, res, next) {
      if (req.auth !== undefined) {
        check(req.auth, requirement, res, next);
        return;
      }
      const header = authorizationHeader(req.rawHeaders);
      // A known API key or cached token is answered synchronously: no promise, no extra tick.
      const known = gate.peek(header);
      if (known !== undefined) {
        req.auth = known;
        check(known, requirement, res, next);
        return;
      }
      const result = optional ? gate.authenticate(header, { optional: true }) : gate.authenticate(header);
      result.then(
        (auth) => {
          if (auth === undefined) return next();
          req.auth = auth;
          check(auth, requirement, res, next);
        },
        (err: unknown) => fail(err, res, next),
      );
    };

  const check = (
    auth: AuthContext,
    requirement: AuthRequirement | undefined,
    res: Response,
    next: NextFunction,
  ) => {
    const denied = requirement && gate.authorize(auth, requirement);
    if (denied) fail(denied, res, next);
    else next();
  };

  const required = authenticate(false);
  const optional = authenticate(true);
  const main = options.mode === 'optional' ? optional : required;

  const middleware = function gatehouseMiddleware(req: Request, res: Response, next: NextFunction): void {
    if (hasPublicPaths && gate.isPublic(req.path)) next();
    else main(req, res, next);
  } as GatehouseMiddleware;
  Object.assign(middleware, {
    gate,
    required: () => required,
    optional: () => optional,
    admin: () => authenticate(false, { admin: true }),
    scopes: (...scopes: string[]) => authenticate(false, { scopes }),
  });
  return middleware;
}
