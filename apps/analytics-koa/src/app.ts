/**
 * The analytics API on Koa: reads the telemetry database that apps/ingestion writes. Same routes and
 * answers as apps/analytics (NestJS); both are thin routes over the store package's `createAnalytics`,
 * and both push new records to subscribed dashboards on the `GET /v1/stream` WebSocket.
 * Who reads what is decided by Gatehouse's authorization step, from the Cedar policies in policies/.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { connectionAuth, type Gatehouse } from '@gatehouse/core';
import {
  type AppLogger,
  dashboardSession,
  errorAnswer,
  NOT_FOUND,
  runInRequestScope,
  startRequest,
  whoamiBody,
} from '@gatehouse/example-kit';
import {
  createAnalytics,
  LiveFeed,
  readableSenders,
  type SenderRecords,
  type TelemetryStore,
} from '@gatehouse/example-telemetry-store';
import { authOf, type GatehouseKoaOptions, gatehouse } from '@gatehouse/koa';
import Router from '@koa/router';
import Koa, { type Context, type Middleware } from 'koa';
import { WebSocketServer } from 'ws';

/**
 * The app's authorization: Cedar policies (admins read everything, anyone else what it sent), checked
 * against their schema at start-up and reloaded when they change. Next to `dist/` and `src/` alike.
 */
export const OWNERSHIP_POLICIES = {
  backend: 'cedar',
  policies: [fileURLToPath(new URL('../policies/ownership.cedar', import.meta.url))],
  schema: fileURLToPath(new URL('../policies/ownership.cedarschema', import.meta.url)),
} as const;

export interface AnalyticsKoaConfig {
  /** The telemetry database, opened `read-only` (retention opens a writable connection when it runs). */
  readonly store: TelemetryStore;
  /**
   * Gatehouse's options. Everything they leave out comes from the `GATEHOUSE_*` environment (main.ts gives
   * none); tests give credentials and `env: false`. `authz` defaults to {@link OWNERSHIP_POLICIES}.
   */
  readonly gatehouse?: GatehouseKoaOptions;
  /**
   * Structured logs (pino): Gatehouse's audit line per decision, one access line per request, both with
   * the request id. Silent when absent.
   */
  readonly logger?: AppLogger;
  /** Receives unexpected errors (answered 500). Default: `console.error`. */
  readonly onUnexpectedError?: (err: unknown) => void;
}

/** The Koa app, with what its HTTP server needs besides requests. */
export type AnalyticsKoaApp = Koa & {
  /** The gate behind every route and the stream. */
  readonly gate: Gatehouse;
  /** Serves `GET /v1/stream` (WebSocket upgrades) on the server the app runs on. */
  attachStreams(server: Server): () => void;
};

/**
 * Builds the Koa app: its business routes behind Gatehouse, which serves `/ready`, `/metrics`, the
 * revocation admin routes and back-channel logout itself (`routes: true`). Authentication runs before
 * routing: an unknown route without credentials is a 401, like any other. Every path under `/v1/admin`
 * needs an admin. The reads return the records of the senders the authorization step lets the caller read
 * (one decision per sender), and nobody else's.
 *
 * @example
 * ```ts
 * const app = createApp({ store: openTelemetryStore({ path, access: 'read-only' }) });
 * app.attachStreams(app.listen(4403));
 * ```
 */
export function createApp(config: AnalyticsKoaConfig): AnalyticsKoaApp {
  const analytics = createAnalytics(config.store, { service: 'analytics-koa', framework: 'koa' });
  const onUnexpectedError = config.onUnexpectedError ?? ((err: unknown) => console.error(err));
  const auth = gatehouse({
    routes: true,
    realm: 'analytics',
    publicPaths: ['/health'],
    logger: config.logger,
    authz: OWNERSHIP_POLICIES,
    ...config.gatehouse,
  });
  // Whose records of this kind the caller may read: one decision per sender, in one batch.
  const readable = (ctx: Context, type: string) =>
    readableSenders(config.store, type, (resources) => auth.gate.permitted(authOf(ctx), 'read', resources));
  const logger = config.logger;
  const requestScope: Middleware = (ctx, next) =>
    logger ? runInRequestScope(startRequest(logger, ctx.req, ctx.res), next) : next();
  const admin = auth.admin();

  const errors: Middleware = async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // Gatehouse's own refusals (the authorization step's 503) keep their status, headers and body.
      const refusal = auth.gate.respond(err);
      if (refusal !== undefined) {
        ctx.status = refusal.status;
        ctx.set(refusal.headers);
        ctx.body = refusal.body;
        return;
      }
      const answer = errorAnswer(err);
      if (answer.status >= 500) onUnexpectedError(err);
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.body = answer.body;
    }
  };
  const noStore: Middleware = (ctx, next) => {
    ctx.set('cache-control', 'no-store');
    return next();
  };
  // Every path under /v1/admin, unknown ones too (a 404 there would tell a non-admin which admin
  // endpoints exist). The admin routes below rely on this one check.
  const adminArea: Middleware = (ctx, next) =>
    ctx.path === '/v1/admin' || ctx.path.startsWith('/v1/admin/') ? admin(ctx, next) : next();
  const notFound: Middleware = (ctx) => {
    ctx.status = NOT_FOUND.status;
    ctx.body = NOT_FOUND.body;
  };

  const router = new Router({ sensitive: true });
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok', service: 'analytics-koa' };
  });
  router.get('/v1/whoami', (ctx) => {
    ctx.body = whoamiBody(authOf(ctx));
  });
  router.get('/v1/processes', async (ctx) => {
    ctx.body = analytics.processes(ctx.query, await readable(ctx, 'process'));
  });
  router.get('/v1/logs', async (ctx) => {
    ctx.body = analytics.logs(ctx.query, await readable(ctx, 'log'));
  });
  router.get('/v1/metrics', async (ctx) => {
    ctx.body = analytics.metrics(ctx.query, await readable(ctx, 'metric'));
  });
  router.get('/v1/metrics/summary', async (ctx) => {
    ctx.body = analytics.metricsSummary(ctx.query, await readable(ctx, 'metric'));
  });
  router.get('/v1/admin/status', (ctx) => {
    ctx.body = analytics.status();
  });
  router.post('/v1/admin/retention', (ctx) => {
    ctx.body = analytics.retention(ctx.query);
  });
  const app = new Koa();
  app.use(requestScope).use(errors).use(noStore).use(auth).use(adminArea).use(router.routes()).use(notFound);

  // GET /v1/stream: a dashboard subscribes, then receives the new records it may read.
  const feed = new LiveFeed(config.store);
  const streams = new WebSocketServer({ noServer: true, maxPayload: 16_384 });
  streams.on('connection', (ws) => {
    const identity = connectionAuth(ws);
    if (identity === undefined) return;
    // The same decisions as the reads: the records of the senders the Cedar policies let it read.
    const viewer = {
      permitted: (resources: SenderRecords[]) => auth.gate.permitted(identity, 'read', resources),
    };
    const session = dashboardSession(feed, viewer, (answer) => ws.send(JSON.stringify(answer)));
    ws.on('message', (data) => session.receive(data));
    ws.once('close', () => session.close());
  });
  const streamGate = auth.webSocket({ server: streams, path: '/v1/stream' });
  return Object.assign(app, {
    gate: auth.gate,
    attachStreams: (server: Server) => streamGate.attach(server),
  });
}
