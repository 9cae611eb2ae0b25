/**
 * Per-request set-up shared by the apps: a request id (answered in `X-Request-Id` and carried by every
 * log line of the request, Gatehouse's audit line included) and one access line when the response is
 * finished. Express and Nest use {@link requestLogging} as it is; Koa runs {@link startRequest} itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { logAccess, newRequestId, type RequestScope, runInRequestScope } from './logger.js';

/** The header that carries the request id back to the client. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Gives the request its id and schedules its access line; returns the scope to run the rest of the
 * request in (`runInRequestScope(scope, next)`).
 *
 * @example
 * ```ts
 * app.use((ctx, next) => runInRequestScope(startRequest(logger, ctx.req, ctx.res), next));
 * ```
 */
export function startRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): RequestScope {
  const scope: RequestScope = { reqId: newRequestId() };
  res.setHeader(REQUEST_ID_HEADER, scope.reqId);
  const startedAt = performance.now();
  // The path only: a query string is client input that may carry anything (even a token).
  const path = (req.url ?? '/').split('?', 1)[0]!;
  res.once('finish', () => {
    // 'finish' fires outside the request's async context: the id is passed explicitly.
    runInRequestScope(scope, () =>
      logAccess(logger, {
        method: req.method ?? 'GET',
        path,
        status: res.statusCode,
        durationMs: performance.now() - startedAt,
      }),
    );
  });
  return scope;
}

/**
 * Node-style middleware (Express, Nest on Express): {@link startRequest}, then the rest of the chain in
 * the request's scope.
 *
 * @example
 * ```ts
 * app.use(requestLogging(logger));
 * ```
 */
export function requestLogging(
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return function requestLoggingMiddleware(req, res, next) {
    runInRequestScope(startRequest(logger, req, res), next);
  };
}
