import {
  type AdapterOptions,
  type AuthContext,
  createGatehouse,
  type Decision,
  NodeRequestView,
  type RouteHelpers,
  withRouteHelpers,
} from '@gatehouse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  namespace Express {
    interface Request {
      /**
       * The identity Gatehouse authenticated: set behind the middleware and the route helpers, undefined
       * on public paths and on optional routes without credentials. On routes that require
       * authentication, read it with `authOf(req)`, typed as present.
       */
      auth?: AuthContext;
    }
  }
}

/** Options of {@link gatehouse}: the configuration and options of `@gatehouse/core`, plus Express specifics. */
export interface GatehouseExpressOptions extends AdapterOptions {
  /**
   * `respond` (default) answers refusals itself (401/403/400/429/503 with `WWW-Authenticate` and a JSON
   * body); `next` hands the `AuthError` to `next(err)` for apps with their own error format.
   */
  readonly onError?: 'respond' | 'next';
}

/** The middleware, plus route-level helpers that share its configuration and caches. */
export interface GatehouseMiddleware extends RequestHandler, RouteHelpers<RequestHandler> {}

/**
 * Creates the Gatehouse middleware. Configured by its options (`apiKeys`, `oidc`, `admins`, …) or, with
 * none, from the `GATEHOUSE_*` environment; throws at start-up when that is missing or malformed.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { authOf, gatehouse } from '@gatehouse/express';
 *
 * const app = express();
 * const auth = gatehouse({
 *   oidc: { issuers: [{ issuer: 'https://login.example.com', audience: 'my-api' }] },
 *   admins: ['alice@example.com'],
 *   publicPaths: ['/health'],
 * });
 * app.use(auth);
 * app.get('/health', (_req, res) => void res.json({ ok: true }));
 * app.get('/v1/whoami', (req, res) => void res.json({ subject: authOf(req).subject }));
 * app.get('/v1/admin/status', auth.admin(), (_req, res) => void res.json({ ok: true }));
 * ```
 */
export function gatehouse(options: GatehouseExpressOptions = {}): GatehouseMiddleware {
  const gate = createGatehouse(options);
  const passErrors = options.onError === 'next';

  const apply = (decision: Decision, req: Request, res: Response, next: NextFunction): void => {
    if (decision.headers !== undefined) res.set(decision.headers);
    if (decision.admitted) {
      if (decision.auth !== undefined) req.auth = decision.auth;
      next();
    } else if (passErrors) next(decision.error);
    else res.status(decision.status).json(decision.body);
  };

  return withRouteHelpers<RequestHandler>(
    gate,
    options,
    (route) =>
      function gatehouseMiddleware(req, res, next) {
        const decision = gate.handle(new NodeRequestView(req, req.path, req.originalUrl), route, req.auth);
        if (decision instanceof Promise) decision.then((d) => apply(d, req, res, next), next);
        else apply(decision, req, res, next);
      },
  ) as GatehouseMiddleware;
}
