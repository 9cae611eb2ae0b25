/**
 * The Prometheus text exposition (format 0.0.4) of one gate's metrics, written by core itself so that
 * `GET /metrics` (`routes: true`) works with nothing installed beyond the adapter and core: the same
 * names, labels and values the OpenTelemetry Prometheus exporter shows for them, read from the same
 * in-memory counts.
 */
import type { Attributes } from '@opentelemetry/api';
import { type DecisionRecorder, DURATION_BUCKETS, METRIC_NAMES } from './metrics.js';
import { type Sample, snapshot } from './snapshot.js';

/** The content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The Prometheus text of a recorder's metrics (its duration histogram only if it keeps one).
 *
 * @example
 * ```ts
 * res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(prometheusText(gate.metrics));
 * ```
 */
export function prometheusText(recorder: DecisionRecorder): string {
  const now = snapshot([recorder]);
  const out: string[] = [];
  family(
    out,
    METRIC_NAMES.authTotal,
    'counter',
    'Authentication decisions, by outcome, error code, auth type and issuer.',
    now.decisions,
  );
  const durations = recorder.durations;
  if (durations !== undefined) {
    const name = METRIC_NAMES.authDuration;
    out.push(`# HELP ${name} Time Gatehouse took to decide on a request.`, `# TYPE ${name} histogram`);
    let cumulative = 0;
    DURATION_BUCKETS.forEach((bound, i) => {
      cumulative += durations.counts[i]!;
      out.push(`${name}_bucket{le="${bound}"} ${cumulative}`);
    });
    out.push(
      `${name}_bucket{le="+Inf"} ${durations.count}`,
      `${name}_sum ${durations.sum}`,
      `${name}_count ${durations.count}`,
    );
  }
  family(
    out,
    METRIC_NAMES.jwksFetchTotal,
    'counter',
    'Key-set (JWKS) fetches, by issuer and result.',
    now.jwksFetches,
  );
  family(out, METRIC_NAMES.jwksAge, 'gauge', 'Seconds since the issuer keys were last loaded.', now.jwksAges);
  family(
    out,
    METRIC_NAMES.tokenCacheTotal,
    'counter',
    'Validated-token cache lookups, by result (hit or miss).',
    [
      { attributes: { result: 'hit' }, value: now.tokenCache.hits },
      { attributes: { result: 'miss' }, value: now.tokenCache.misses },
    ],
  );
  family(out, METRIC_NAMES.revocations, 'gauge', 'Revocations in force.', [
    { attributes: {}, value: now.revocations },
  ]);
  family(out, METRIC_NAMES.rateLimitedTotal, 'counter', 'Requests refused with 429, by limit.', [
    { attributes: { limit: 'identity' }, value: now.rateLimited.identity },
    { attributes: { limit: 'failed_auth' }, value: now.rateLimited.failed_auth },
  ]);
  family(
    out,
    METRIC_NAMES.authzDecisionsTotal,
    'counter',
    'Authorization decisions, by backend, decision (allow, deny, error) and cache use.',
    now.authz,
  );
  family(
    out,
    METRIC_NAMES.connectionsOpen,
    'gauge',
    'Long-lived connections open (WebSocket, Socket.IO, GraphQL over WebSocket, gRPC streams), by transport.',
    now.connectionsOpen,
  );
  family(
    out,
    METRIC_NAMES.connectionsClosedTotal,
    'counter',
    'Long-lived connections closed, by transport and cause (revoked, expired, shutdown, ended).',
    now.connectionsClosed,
  );
  return `${out.join('\n')}\n`;
}

function family(
  out: string[],
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  samples: readonly Sample[],
): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const { attributes, value } of samples) out.push(`${name}${labels(attributes)} ${value}`);
}

function labels(attributes: Attributes): string {
  const pairs = Object.entries(attributes).map(([key, value]) => `${key}="${escapeLabel(String(value))}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

// Label values: backslash, double quote and line feed escaped (the exposition format's rules).
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
