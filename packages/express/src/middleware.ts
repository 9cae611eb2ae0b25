import {
  type AdapterOptions,
  type AuthContext,
  createGatehouse,
  type Decision,
  type HttpAnswer,
  NodeRequestView,
  nodeBodyReader,
  type RouteHelpers,
  withRouteHelpers,
} from '@gatehouse/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authOnRequest, putAuthOnRequest } from './identity.js';

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
export interface GatehouseMiddleware extends RequestHandler, RouteHelpers<RequestHandler, Request> {}

/**
 * Creates the Gatehouse middleware. Configured by its options (`apiKeys`, `oidc`, `admins`, `routes`, …);
 * every `GATEHOUSE_*` variable fills what they leave out. Throws at start-up when the configuration is
 * missing or malformed, naming the variable or the field.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { authOf, gatehouse } from '@gatehouse/express';
 *
 * const app = express();
 * const auth = gatehouse({ routes: true, publicPaths: ['/health'] }); // GATEHOUSE_* configure the rest
 * app.use(auth); // also serves /ready, /metrics, /v1/admin/revocations and /v1/backchannel-logout
 * app.get('/health', (_req, res) => void res.json({ ok: true }));
 * app.get('/v1/whoami', (req, res) => void res.json({ subject: authOf(req).subject }));
 * app.get('/v1/admin/status', auth.admin(), (_req, res) => void res.json({ ok: true }));
 * // With `authz` configured: may this identity read this process? (403 access_denied otherwise)
 * app.get('/v1/processes/:id', auth.authorize('read', (req) => ({ type: 'process', id: req.params.id })), show);
 * ```
 */
export function gatehouse(options: GatehouseExpressOptions = {}): GatehouseMiddleware {
  const gate = createGatehouse(options);
  const passErrors = options.onError === 'next';
  const routes = gate.routes;

  const apply = (decision: Decision, req: Request, res: Response, next: NextFunction): void => {
    if (decision.headers !== undefined) res.set(decision.headers);
    if (decision.admitted) {
      if (decision.auth !== undefined) putAuthOnRequest(req, decision.auth);
      next();
    } else if (passErrors) next(decision.error);
    else res.status(decision.status).json(decision.body);
  };

  const write = (answer: HttpAnswer, res: Response): void => {
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };

  return withRouteHelpers<RequestHandler, Request>(gate, options, (route, main) => {
    const serving = main ? routes : undefined;
    return function gatehouseMiddleware(req, res, next) {
      // The path as routed (relative to where the middleware is mounted), read without Express's getter.
      const url = req.url;
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      if (serving !== undefined) {
        const match = serving.match(req.method, path);
        if (match !== undefined) {
          serving
            .serve(match, new NodeRequestView(req, path, req.originalUrl), nodeBodyReader(req))
            .then((answer) => write(answer, res), next);
          return;
        }
      }
      const decision = gate.handle(
        new NodeRequestView(req, path, req.originalUrl),
        route,
        authOnRequest(req),
        req,
      );
      if (decision instanceof Promise) decision.then((d) => apply(d, req, res, next), next);
      else apply(decision, req, res, next);
    };
  }) as GatehouseMiddleware;
}
