/**
 * `GET /metrics` for the example apps: an OpenTelemetry SDK `MeterProvider` whose only reader is the
 * OpenTelemetry Prometheus exporter, read on demand (the exporter's own HTTP server is not started: the
 * apps serve the text themselves, behind Gatehouse). Gatehouse records through `@opentelemetry/api`, so
 * this reader sees its instruments without any bridge; that is why this is not prom-client.
 */
import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** The scope that lets a non-admin identity read `/metrics` (a Prometheus scraper's API key). */
export const METRICS_SCOPE = 'metrics:read';

/** Who may read `/metrics`: admins, or identities with {@link METRICS_SCOPE} (`auth.require(...)`). */
export const METRICS_REQUIREMENT = Object.freeze({ scopes: Object.freeze([METRICS_SCOPE]), orAdmin: true });

/** The Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** An app's metrics: the provider to hand to Gatehouse, and the Prometheus text of everything recorded. */
export interface PrometheusMetrics {
  /** Give this to Gatehouse (`observability: { meterProvider }`) and to anything else that records. */
  readonly meterProvider: ApiMeterProvider;
  /** The current values, in the Prometheus text format. */
  scrape(): Promise<string>;
  shutdown(): Promise<void>;
}

/**
 * A private `MeterProvider` read by the Prometheus exporter. Private rather than global, so that several
 * apps in one process (the tests) keep separate numbers; main.ts may also register it globally.
 *
 * @example
 * ```ts
 * const metrics = createPrometheusMetrics({ service: 'ingestion' });
 * const auth = gatehouse({ ..., observability: { meterProvider: metrics.meterProvider } });
 * app.get('/metrics', auth.require({ scopes: ['metrics:read'], orAdmin: true }), async (_req, res) => {
 *   res.type(PROMETHEUS_CONTENT_TYPE).send(await metrics.scrape());
 * });
 * ```
 */
export function createPrometheusMetrics(options: { readonly service: string }): PrometheusMetrics {
  // No otel_scope_* labels: every series keeps exactly the labels the contract names.
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const serializer = new PrometheusSerializer(undefined, false, undefined, false, true);
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': options.service }),
    readers: [exporter],
  });
  return {
    meterProvider,
    async scrape() {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    shutdown: () => meterProvider.shutdown(),
  };
}

/** The `GET /metrics` answer: 200, the Prometheus text, never cached. */
export async function metricsAnswer(metrics: PrometheusMetrics): Promise<{
  readonly status: 200;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}> {
  return {
    status: 200,
    headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' },
    body: await metrics.scrape(),
  };
}
