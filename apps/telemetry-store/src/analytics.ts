/**
 * The analytics read API without a framework: each read takes the parsed query object, validates it
 * (throwing a `ValidationError` for a 400) and returns the JSON body, made of the records of the senders
 * the authorization step allowed (`readable`, see `readableSenders`) and nobody else's. The NestJS and Koa
 * apps are thin routes over this, so that both answer byte-for-byte the same.
 */
import type { Owner } from './ownership.js';
import type { TelemetryStore } from './store.js';
import {
  parseLogQuery,
  parseMetricQuery,
  parseMetricSummaryQuery,
  parseProcessListQuery,
  parseRetentionRequest,
  type QueryInput,
} from './validate/query.js';

export interface StatusOptions {
  /** Reported by `/v1/admin/status`. */
  readonly service: string;
  readonly framework: string;
  /** Current time in ms (tests). */
  readonly now?: () => number;
}

export type AnalyticsOptions = StatusOptions;

/**
 * The body of every app's `GET /v1/admin/status` (admins only): who answers, for how long, and the
 * database's numbers. Uptime counts from this call.
 */
export function createStatus(store: TelemetryStore, options: StatusOptions) {
  const now = options.now ?? Date.now;
  const startedAt = now();
  return () => ({
    status: 'ok',
    service: options.service,
    framework: options.framework,
    uptimeSecs: Math.round((now() - startedAt) / 1000),
    storage: store.stats(),
  });
}

export type Analytics = ReturnType<typeof createAnalytics>;

/**
 * @example
 * ```ts
 * const analytics = createAnalytics(store, { service: 'analytics-koa', framework: 'koa' });
 * ctx.body = analytics.logs(ctx.query, await readableSenders(store, 'log', permitted));
 * ```
 */
export function createAnalytics(store: TelemetryStore, options: AnalyticsOptions) {
  const now = options.now ?? Date.now;
  const iso = (ms: number) => new Date(ms).toISOString();

  return {
    /** `GET /v1/processes` */
    processes(query: QueryInput, readable: readonly Owner[]) {
      const { processes, truncated } = store.listProcesses(parseProcessListQuery(query), readable);
      return { count: processes.length, truncated, processes };
    },
    /** `GET /v1/logs` */
    logs(query: QueryInput, readable: readonly Owner[]) {
      const q = parseLogQuery(query, now());
      const { entries, truncated } = store.queryLogs(q, readable);
      return { from: iso(q.from), to: iso(q.to), count: entries.length, truncated, entries };
    },
    /** `GET /v1/metrics` */
    metrics(query: QueryInput, readable: readonly Owner[]) {
      const q = parseMetricQuery(query, now());
      const { points, truncated } = store.queryMetrics(q, readable);
      return { from: iso(q.from), to: iso(q.to), count: points.length, truncated, points };
    },
    /** `GET /v1/metrics/summary` */
    metricsSummary(query: QueryInput, readable: readonly Owner[]) {
      const q = parseMetricSummaryQuery(query, now());
      const { series, truncated } = store.summarizeMetrics(q, readable);
      return { from: iso(q.from), to: iso(q.to), count: series.length, truncated, series };
    },
    /** `GET /v1/admin/status` (admins only) */
    status: createStatus(store, options),
    /** `POST /v1/admin/retention` (admins only) */
    retention(query: QueryInput) {
      return store.applyRetention(parseRetentionRequest(query, now()));
    },
  };
}
