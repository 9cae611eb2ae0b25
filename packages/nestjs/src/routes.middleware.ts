import { type Gatehouse, NodeRequestView, nodeBodyReader } from '@gatehouse/core';

/** The Node request and response under Nest's Express or Fastify platform (middleware sees the raw ones on Fastify). */
interface RawRequest {
  readonly method?: string;
  readonly url?: string;
  readonly originalUrl?: string;
  readonly rawHeaders: readonly string[];
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body?: unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  resume(): unknown;
}

interface RawResponse {
  writeHead(status: number, headers: Readonly<Record<string, string>>): { end(body?: string): unknown };
}

/** A middleware of the HTTP platform (Express, or Fastify through middie). */
export type PlatformMiddleware = (req: RawRequest, res: RawResponse, next: (err?: unknown) => void) => void;

/**
 * The operational routes (`routes: true`: `/ready`, `/metrics`, the revocation admin routes, back-channel
 * logout) as a middleware of the HTTP platform: it answers the paths `gate.routes` matches and passes every
 * other request on untouched. `GatehouseModule` mounts it on the platform itself, ahead of Nest's body
 * parser and router, so each route reads its own body with its own limits.
 *
 * @example
 * ```ts
 * app.use(gatehouseRoutes(app.get(GATEHOUSE))); // what GatehouseModule.forRoot({ routes: true }) does
 * ```
 */
export function gatehouseRoutes(gate: Gatehouse): PlatformMiddleware {
  const routes = gate.routes;
  return function gatehouseRoutesMiddleware(req, res, next) {
    const url = req.originalUrl ?? req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const match = routes?.match(req.method ?? 'GET', path);
    if (routes === undefined || match === undefined) {
      next();
      return;
    }
    const view = new NodeRequestView(req as ConstructorParameters<typeof NodeRequestView>[0], path, url);
    routes
      .serve(match, view, nodeBodyReader(req))
      .then((answer) => void res.writeHead(answer.status, answer.headers).end(answer.body), next);
  };
}
