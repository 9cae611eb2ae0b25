/**
 * The ingestion service: accepts telemetry batches (process descriptions, log entries, metrics) from
 * authenticated callers and stores each record stamped with the identity that sent it.
 */
import { type AuthProvider, readinessAnswer } from '@gatehouse/core';
import {
  type AppLogger,
  answerRevocationRoute,
  createPrometheusMetrics,
  createStatus,
  errorAnswer,
  errorBody,
  LIMITS,
  METRICS_REQUIREMENT,
  metricsAnswer,
  NOT_FOUND,
  type PrometheusMetrics,
  parseBatch,
  type RevocationRoute,
  requestLogging,
  type SharedGateOptions,
  type TelemetryStore,
  whoamiBody,
} from '@gatehouse/example-telemetry-store';
import { authOf, gatehouse } from '@gatehouse/express';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';

export interface IngestionConfig {
  /** Who validates credentials (built by main.ts from the `GATEHOUSE_*` environment). */
  readonly provider: AuthProvider;
  /** The telemetry database, opened read/write. */
  readonly store: TelemetryStore;
  /**
   * Structured logs (pino): Gatehouse's audit line per decision, one access line per request, both with
   * the request id. Silent when absent.
   */
  readonly logger?: AppLogger;
  /** What `GET /metrics` serves, and where Gatehouse records. Default: a registry of the app's own. */
  readonly metrics?: PrometheusMetrics;
  /** Shared state (Redis), rate limits, failed-auth throttling (`sharedGateOptions(config)`). */
  readonly shared?: SharedGateOptions;
  /** Receives unexpected errors (answered 500). Default: `console.error`. */
  readonly onUnexpectedError?: (err: unknown) => void;
}

/**
 * Builds the Express app. Authentication runs before routing and before the body is read, so an unknown
 * route or a malformed body without credentials gets the same 401 as any other request. Building it
 * starts fetching the issuers' keys (`gate.warmUp()`): `/ready` answers 200 once they are loaded (and the
 * shared store, when there is one, answers).
 *
 * @example
 * ```ts
 * const app = createApp({ provider, store: openTelemetryStore({ path: 'data/telemetry.db' }) });
 * app.listen(4401);
 * ```
 */
export function createApp(config: IngestionConfig): Express {
  const { store } = config;
  const status = createStatus(store, { service: 'ingestion', framework: 'express' });
  const onUnexpectedError = config.onUnexpectedError ?? ((err: unknown) => console.error(err));
  const metrics = config.metrics ?? createPrometheusMetrics({ service: 'ingestion' });
  const auth = gatehouse({
    ...config.shared,
    provider: config.provider,
    realm: 'ingestion',
    publicPaths: ['/health', '/ready', '/v1/backchannel-logout'],
    logger: config.logger,
    observability: { meterProvider: metrics.meterProvider },
  });
  void auth.gate.warmUp();
  const revocation =
    (route: RevocationRoute): RequestHandler =>
    async (req: Request, res: Response) => {
      const id = typeof req.params.id === 'string' ? req.params.id : undefined;
      const answer = await answerRevocationRoute(auth.gate.revocationRoutes, route, req, id);
      res.status(answer.status).set(answer.headers);
      if (answer.body === undefined) res.end();
      else res.json(answer.body);
    };

  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);

  if (config.logger) app.use(requestLogging(config.logger));
  app.use(noStore);
  app.use(auth);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'ingestion' });
  });

  app.get('/ready', (_req, res) => {
    const answer = readinessAnswer(auth.gate.ready());
    res.status(answer.status).set(answer.headers).json(answer.body);
  });

  app.get('/metrics', auth.require(METRICS_REQUIREMENT), async (_req, res) => {
    const answer = await metricsAnswer(metrics);
    res.status(answer.status).set(answer.headers).send(answer.body);
  });

  app.get('/v1/whoami', (req, res) => {
    res.json(whoamiBody(authOf(req)));
  });

  app.post('/v1/backchannel-logout', revocation('backchannel-logout'));

  // Every path under /v1/admin is for admins, including unknown ones (a 404 there would tell a
  // non-admin which admin endpoints exist). The routes below rely on this one check.
  app.use('/v1/admin', auth.admin());
  app.get('/v1/admin/status', (_req, res) => {
    res.json(status());
  });
  app.post('/v1/admin/revocations', revocation('create'));
  app.get('/v1/admin/revocations', revocation('list'));
  app.delete('/v1/admin/revocations/:id', revocation('remove'));

  app.post(
    '/v1/ingest',
    requireJsonBody,
    express.json({ limit: LIMITS.maxBodyBytes, strict: true, type: 'application/json' }),
    (req, res) => {
      const batch = parseBatch(req.body);
      const { subject, issuer, authType } = authOf(req);
      const result = store.insertBatch(batch, { subject, issuer, authType });
      res.json({ ...result, sender: { subject, issuer, authType } });
    },
  );

  app.use((_req, res) => {
    res.status(NOT_FOUND.status).json(NOT_FOUND.body);
  });

  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const answer = errorAnswer(err);
    if (answer.status >= 500) onUnexpectedError(err);
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
  app.use(onError);
  return app;
}

const noStore: RequestHandler = (_req, res, next) => {
  res.set('cache-control', 'no-store');
  next();
};

// A body declared in another format is a 415, not a confusing "must be an object"; a request without
// Content-Type falls through to the batch check (400).
const requireJsonBody: RequestHandler = (req, res, next) => {
  if (req.headers['content-type'] !== undefined && req.is('application/json') === false) {
    res.status(415).json(errorBody('unsupported_media_type', 'send the batch as application/json'));
    return;
  }
  next();
};
