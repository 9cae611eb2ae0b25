/**
 * The ingestion service: accepts telemetry batches (process descriptions, log entries, metrics) from
 * authenticated callers and stores each record stamped with the identity that sent it: one per
 * `POST /v1/ingest`, or a stream of them on the `GET /v1/stream` WebSocket (and over gRPC, grpc.ts).
 * A sender lists the processes it sent; who may read whose is decided by an AuthZEN policy decision point.
 */
import type { Server } from 'node:http';
import { connectionAuth, type Gatehouse } from '@gatehouse/core';
import {
  type AppLogger,
  errorAnswer,
  errorBody,
  ingestMessage,
  NOT_FOUND,
  requestLogging,
  whoamiBody,
} from '@gatehouse/example-kit';
import {
  createAnalytics,
  createStatus,
  LIMITS,
  parseBatch,
  readableSenders,
  type SenderRecords,
  type TelemetryStore,
} from '@gatehouse/example-telemetry-store';
import { authOf, type GatehouseExpressOptions, gatehouse } from '@gatehouse/express';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { WebSocketServer } from 'ws';

/**
 * Where the AuthZEN PDP answers unless `pdpUrl` says otherwise: apps/authzen-pdp's default address,
 * started with its ownership policies (apps/authzen-pdp/fixtures/ownership).
 */
export const DEFAULT_PDP_URL = 'http://127.0.0.1:4480';

export interface IngestionConfig {
  /** The telemetry database, opened read/write. */
  readonly store: TelemetryStore;
  /**
   * Gatehouse's options. Everything they leave out comes from the `GATEHOUSE_*` environment (main.ts gives
   * none); tests give credentials and `env: false`.
   */
  readonly gatehouse?: GatehouseExpressOptions;
  /**
   * The AuthZEN PDP that decides who reads whose processes (Gatehouse's `authz`, AuthZEN backend).
   * Default {@link DEFAULT_PDP_URL}. While it cannot be reached those reads answer 503; ingestion does not
   * depend on it.
   */
  readonly pdpUrl?: string;
  /**
   * Structured logs (pino): Gatehouse's audit line per decision, one access line per request, both with
   * the request id. Silent when absent.
   */
  readonly logger?: AppLogger;
  /** Receives unexpected errors (answered 500). Default: `console.error`. */
  readonly onUnexpectedError?: (err: unknown) => void;
}

/** The Express app, with what its HTTP server needs besides requests. */
export type IngestionApp = Express & {
  /** The gate behind every route, the stream and the gRPC service (its connections, its revocations). */
  readonly gate: Gatehouse;
  /** Serves `GET /v1/stream` (WebSocket upgrades) on the server the app runs on. */
  attachStreams(server: Server): () => void;
};

/**
 * Builds the Express app: its business routes behind Gatehouse, which serves `/ready`, `/metrics`, the
 * revocation admin routes and back-channel logout itself (`routes: true`). Authentication runs before
 * routing and before the body is read, so an unknown route or a malformed body without credentials gets
 * the same 401 as any other request.
 *
 * @example
 * ```ts
 * const app = createApp({ store: openTelemetryStore({ path: 'data/telemetry.db' }) });
 * app.attachStreams(app.listen(4401));
 * ```
 */
export function createApp(config: IngestionConfig): IngestionApp {
  const { store } = config;
  const status = createStatus(store, { service: 'ingestion', framework: 'express' });
  const reads = createAnalytics(store, { service: 'ingestion', framework: 'express' });
  const onUnexpectedError = config.onUnexpectedError ?? ((err: unknown) => console.error(err));
  const auth = gatehouse({
    routes: true,
    realm: 'ingestion',
    publicPaths: ['/health'],
    logger: config.logger,
    authz: { backend: 'authzen', url: config.pdpUrl ?? DEFAULT_PDP_URL },
    ...config.gatehouse,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);

  if (config.logger) app.use(requestLogging(config.logger));
  app.use(noStore);
  app.use(auth);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'ingestion' });
  });

  app.get('/v1/whoami', (req, res) => {
    res.json(whoamiBody(authOf(req)));
  });

  // Every path under /v1/admin is for admins, including unknown ones (a 404 there would tell a
  // non-admin which admin endpoints exist). The routes below rely on this one check.
  app.use('/v1/admin', auth.admin());
  app.get('/v1/admin/status', (_req, res) => {
    res.json(status());
  });

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

  // What this identity sent (admins: everyone's), as the PDP decides: one evaluations call per list.
  app.get('/v1/processes', (req, res, next) => {
    const permitted = (resources: SenderRecords[]) => auth.gate.permitted(authOf(req), 'read', resources);
    readableSenders(store, 'process', permitted)
      .then((readable) => void res.json(reads.processes(req.query, readable)))
      .catch(next);
  });

  app.use((_req, res) => {
    res.status(NOT_FOUND.status).json(NOT_FOUND.body);
  });

  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    // Gatehouse's own refusals (the PDP unreachable: 503) keep their status, headers and body.
    const refusal = auth.gate.respond(err);
    if (refusal !== undefined) {
      res.status(refusal.status).set(refusal.headers).json(refusal.body);
      return;
    }
    const answer = errorAnswer(err);
    if (answer.status >= 500) onUnexpectedError(err);
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
  app.use(onError);

  // GET /v1/stream: each text message is a batch (the body of POST /v1/ingest), answered in order.
  const streams = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxBodyBytes });
  streams.on('connection', (ws) => {
    ws.on('message', (data) => {
      const sender = connectionAuth(ws);
      if (sender !== undefined) ws.send(JSON.stringify(ingestMessage(store, data, sender)));
    });
  });
  const streamGate = auth.webSocket({ server: streams, path: '/v1/stream' });
  return Object.assign(app, {
    gate: auth.gate,
    attachStreams: (server: Server) => streamGate.attach(server),
  });
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
