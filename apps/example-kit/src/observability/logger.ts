/**
 * The example apps' structured logs: pino, JSON lines on stdout, every line of a request carrying its
 * request id. The id comes from an AsyncLocalStorage that the apps' first middleware opens, so
 * Gatehouse's audit events (one per decision) get it without Gatehouse knowing about requests ids.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

const requests = new AsyncLocalStorage<RequestScope>();

/** The apps' logger: pino's. Gatehouse's `AuditLogger` is a subset of it. */
export type AppLogger = Logger;

/** What is known of the request being handled, for the lines logged while handling it. */
export interface RequestScope {
  readonly reqId: string;
}

/** Options of {@link createAppLogger}. */
export interface AppLoggerOptions {
  /** The service name on every line (`ingestion`). */
  readonly service: string;
  /** Default `info` (`LOG_LEVEL` in main.ts). */
  readonly level?: LevelWithSilent;
  /** Where lines go. Default: stdout. */
  readonly destination?: DestinationStream;
}

// Defence in depth: fields that could hold a credential are never written, whoever logs them.
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  'key',
  'apiKey',
  'secret',
  'clientSecret',
  'client_secret',
  'password',
];

/**
 * A pino logger for an app: JSON lines with `service`, the request id (`reqId`) while a request is
 * handled, and credential-like fields removed.
 *
 * @example
 * ```ts
 * const logger = createAppLogger({ service: 'ingestion' });
 * const app = createApp({ ..., logger });
 * ```
 */
export function createAppLogger(options: AppLoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, remove: true },
      mixin: () => requests.getStore() ?? {},
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/**
 * A new request id. Incoming `X-Request-Id` headers are not reused: they are client input, and a
 * header a client controls could carry anything into the logs.
 */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * Runs `handler` (the rest of the middleware chain) with `scope` as the current request's, so every
 * line logged meanwhile carries its id.
 *
 * @example
 * ```ts
 * app.use((req, res, next) => runInRequestScope({ reqId: newRequestId() }, next));
 * ```
 */
export function runInRequestScope<T>(scope: RequestScope, handler: () => T): T {
  return requests.run(scope, handler);
}

/** The current request's scope, if a request is being handled. */
export function currentRequestScope(): RequestScope | undefined {
  return requests.getStore();
}

/** The fields of an access-log line (path without the query string: a query may carry anything). */
export interface AccessLogFields {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
}

/**
 * Logs one line per finished request: `{"event": "http.request", method, path, status, durationMs}`.
 *
 * @example
 * ```ts
 * logAccess(logger, { method: 'GET', path: '/v1/whoami', status: 200, durationMs: 1.2 });
 * ```
 */
export function logAccess(logger: Logger, fields: AccessLogFields): void {
  logger.info(
    { event: 'http.request', ...fields, durationMs: Math.round(fields.durationMs * 1000) / 1000 },
    'request completed',
  );
}
