/**
 * Gatehouse's metrics, through `@opentelemetry/api`: a no-op until the application installs an
 * OpenTelemetry SDK (a `MeterProvider`), and no SDK dependency here.
 *
 * The hot path stays nearly free: counters are plain integers in memory (a decision increments one
 * pre-built {@link DecisionCell}; the token cache and the key sets count their own events) and reach the
 * SDK as observable counters, read only when metrics are collected. The one synchronous instrument is
 * the duration histogram, recorded without attributes (the SDK hashes every attribute set it is given:
 * one label quadrupled the cost of a record), and only when a real SDK is installed (otherwise the clock
 * is not even read). The outcome of each decision is in `gatehouse_auth_total`.
 */
import {
  type Attributes,
  type BatchObservableResult,
  createNoopMeter,
  type Histogram,
  type MeterProvider,
  metrics,
  type Observable,
  type ObservableCounter,
  type ObservableGauge,
} from '@opentelemetry/api';
import type { AuthContext } from '../context.js';
import type { ConnectionCounts } from './connections.js';
import type { ProviderInsight } from './insight.js';
import { DecisionCells, type RefusalSource } from './labels.js';
import { type CountSource, type RateLimitKind, snapshot } from './snapshot.js';
import { annotateActiveSpan } from './tracing.js';

/** The instrument names (Prometheus names: the exporter adds nothing to them). */
export const METRIC_NAMES = Object.freeze({
  authTotal: 'gatehouse_auth_total',
  authDuration: 'gatehouse_auth_duration_seconds',
  jwksFetchTotal: 'gatehouse_jwks_fetch_total',
  jwksAge: 'gatehouse_jwks_age_seconds',
  tokenCacheTotal: 'gatehouse_token_cache_total',
  revocations: 'gatehouse_revocations',
  rateLimitedTotal: 'gatehouse_rate_limited_total',
  authzDecisionsTotal: 'gatehouse_authz_decisions_total',
  connectionsOpen: 'gatehouse_connections_open',
  connectionsClosedTotal: 'gatehouse_connections_closed_total',
});

/**
 * How an authorization ended: allowed, denied, or no decision (the PDP unreachable, the engine failing).
 *
 * @example
 * ```ts
 * recorder.authorized('cedar', 'allow', false);
 * ```
 */
export type AuthzOutcome = 'allow' | 'deny' | 'error';

/** Bucket bounds of `gatehouse_auth_duration_seconds`: 10 µs (a cached token) to 5 s (a slow IdP). */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1, 2.5, 5,
]);

/** Options of the metrics and tracing Gatehouse records. */
export interface ObservabilityOptions {
  /**
   * Where instruments come from. Default: the global `MeterProvider` of `@opentelemetry/api` at the time
   * the gate is built (a no-op unless an SDK registered one before).
   */
  readonly meterProvider?: MeterProvider;
  /**
   * Put the subject on the active span as `enduser.id`. Off by default: it is personal data. It is
   * never a metric label.
   */
  readonly enduserId?: boolean;
}

const SCOPE = '@gatehouse/core';
const NOOP_HISTOGRAM = createNoopMeter().createHistogram('noop').constructor;
const CACHE_ATTRIBUTES = Object.freeze({
  hit: Object.freeze({ result: 'hit' }),
  miss: Object.freeze({ result: 'miss' }),
});
const RATE_LIMIT_ATTRIBUTES: Readonly<Record<RateLimitKind, Attributes>> = Object.freeze({
  identity: Object.freeze({ limit: 'identity' }),
  failed_auth: Object.freeze({ limit: 'failed_auth' }),
});

/**
 * Records one gate's decisions and exposes its sources (key sets, token caches, revocations) to the
 * meter. Built once per gate: the pipeline counts each decision where it writes its audit line
 * ({@link accepted} or {@link refused}) and times it from {@link start} to {@link timeSince}.
 *
 * @example
 * ```ts
 * const recorder = new DecisionRecorder({ issuers: ['https://idp.example.com'], insight: () => EMPTY_INSIGHT });
 * const startedAt = recorder.start();
 * recorder.accepted(auth);
 * recorder.timeSince(startedAt);
 * ```
 */
export class DecisionRecorder {
  /** Whether durations are measured (a real SDK is installed). */
  readonly timed: boolean;
  /** @internal */
  readonly cells: DecisionCells;
  /** @internal */
  readonly insight: () => ProviderInsight;
  /** @internal */
  readonly rateLimitedCounts: Record<RateLimitKind, number> = { identity: 0, failed_auth: 0 };
  /** @internal */
  revocations: CountSource | undefined;
  /** Authorization decisions by backend, outcome and cache use. @internal */
  readonly authzCounts = new Map<string, { readonly attributes: Attributes; count: number }>();
  /** @internal */
  connections: ConnectionCounts | undefined;
  /** The durations this recorder keeps itself (when asked to), for the Prometheus text. @internal */
  readonly durations: DurationHistogram | undefined;
  private readonly binding: MeterBinding;
  private readonly enduserId: boolean;

  constructor(
    options: ObservabilityOptions & {
      /** Configured issuers: the only issuer label values besides `api_key` and placeholders. */
      readonly issuers: Iterable<string>;
      /** The provider's key sets and caches, read at collection time. */
      readonly insight: () => ProviderInsight;
      /**
       * Keep the duration histogram in this recorder too (for the Prometheus text of `GET /metrics`),
       * whether or not an OpenTelemetry SDK is installed.
       */
      readonly histogram?: boolean;
    },
  ) {
    this.cells = new DecisionCells(options.issuers);
    this.insight = options.insight;
    this.enduserId = options.enduserId === true;
    this.binding = MeterBinding.for(options.meterProvider ?? metrics.getMeterProvider());
    this.durations = options.histogram ? new DurationHistogram() : undefined;
    this.timed = this.binding.live || this.durations !== undefined;
    // Without an SDK nothing is ever collected: the recorder is not held by the (no-op) binding.
    if (this.binding.live) this.binding.recorders.add(this);
  }

  /** A start time for {@link timeSince} (0 when durations are not measured). */
  start(): number {
    return this.timed ? performance.now() : 0;
  }

  /** Records the time a decision took since {@link start} (`gatehouse_auth_duration_seconds`). */
  timeSince(startedAt: number): void {
    if (!this.timed) return;
    const seconds = (performance.now() - startedAt) / 1000;
    if (this.binding.live) this.binding.record(seconds);
    this.durations?.record(seconds);
  }

  /** Counts an admitted request. */
  accepted(auth: AuthContext): void {
    const cell = this.cells.accepted(auth);
    cell.count++;
    annotateActiveSpan(cell.spanAttributes, this.enduserId ? auth.subject : undefined);
  }

  /** Counts a refusal; `auth` when an identity was established first (403, revoked, rate-limited). */
  refused(error: RefusalSource, auth?: AuthContext): void {
    const cell = this.cells.refused(error, auth);
    cell.count++;
    if (error.status === 429) this.rateLimited(error.reason === 'failed_auth' ? 'failed_auth' : 'identity');
    annotateActiveSpan(cell.spanAttributes, this.enduserId && auth ? auth.subject : undefined);
  }

  /**
   * Counts a request refused with 429 (`gatehouse_rate_limited_total{limit}`). {@link refused} already
   * counts every 429 refusal; this is for a limit enforced outside the pipeline.
   */
  rateLimited(kind: RateLimitKind): void {
    this.rateLimitedCounts[kind]++;
  }

  /**
   * Counts one authorization decision (`gatehouse_authz_decisions_total{backend, decision, cache}`):
   * every item of a batch is a decision.
   */
  authorized(backend: string, decision: AuthzOutcome, cached: boolean): void {
    const key = `${backend}\n${decision}\n${cached}`;
    let cell = this.authzCounts.get(key);
    if (cell === undefined) {
      cell = {
        attributes: Object.freeze({ backend, decision, cache: cached ? 'hit' : 'miss' }),
        count: 0,
      };
      this.authzCounts.set(key, cell);
    }
    cell.count++;
  }

  /** Reports `source.count()` as `gatehouse_revocations`. */
  observeRevocations(source: CountSource): void {
    this.revocations = source;
  }

  /**
   * Reports the long-lived connections' counts as `gatehouse_connections_open{transport}` and
   * `gatehouse_connections_closed_total{transport, cause}`.
   */
  observeConnections(counts: ConnectionCounts): void {
    this.connections = counts;
  }

  /** Stops reporting this gate's counts and sources. */
  close(): void {
    this.binding.recorders.delete(this);
  }
}

/**
 * The instruments of one `MeterProvider`, shared by every gate that uses it: observable instruments
 * report the sum over the gates (and over distinct sources, so a shared provider is not counted twice).
 */
class MeterBinding {
  private static readonly bindings = new WeakMap<MeterProvider, MeterBinding>();

  static for(provider: MeterProvider): MeterBinding {
    let binding = MeterBinding.bindings.get(provider);
    if (binding === undefined) {
      binding = new MeterBinding(provider);
      MeterBinding.bindings.set(provider, binding);
    }
    return binding;
  }

  readonly recorders = new Set<DecisionRecorder>();
  readonly live: boolean;
  private readonly duration: Histogram;
  private readonly authTotal: ObservableCounter;
  private readonly jwksFetchTotal: ObservableCounter;
  private readonly jwksAge: ObservableGauge;
  private readonly tokenCacheTotal: ObservableCounter;
  private readonly revocationsGauge: ObservableGauge;
  private readonly rateLimitedTotal: ObservableCounter;
  private readonly authzTotal: ObservableCounter;
  private readonly connectionsOpen: ObservableGauge;
  private readonly connectionsClosedTotal: ObservableCounter;

  private constructor(provider: MeterProvider) {
    const meter = provider.getMeter(SCOPE);
    this.duration = meter.createHistogram(METRIC_NAMES.authDuration, {
      description: 'Time Gatehouse took to decide on a request.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    });
    this.live = this.duration.constructor !== NOOP_HISTOGRAM;
    this.authTotal = meter.createObservableCounter(METRIC_NAMES.authTotal, {
      description: 'Authentication decisions, by outcome, error code, auth type and issuer.',
    });
    this.jwksFetchTotal = meter.createObservableCounter(METRIC_NAMES.jwksFetchTotal, {
      description: 'Key-set (JWKS) fetches, by issuer and result.',
    });
    this.jwksAge = meter.createObservableGauge(METRIC_NAMES.jwksAge, {
      description: 'Seconds since the issuer keys were last loaded.',
      unit: 's',
    });
    this.tokenCacheTotal = meter.createObservableCounter(METRIC_NAMES.tokenCacheTotal, {
      description: 'Validated-token cache lookups, by result (hit or miss).',
    });
    this.revocationsGauge = meter.createObservableGauge(METRIC_NAMES.revocations, {
      description: 'Revocations in force.',
    });
    this.rateLimitedTotal = meter.createObservableCounter(METRIC_NAMES.rateLimitedTotal, {
      description: 'Requests refused with 429, by limit.',
    });
    this.authzTotal = meter.createObservableCounter(METRIC_NAMES.authzDecisionsTotal, {
      description: 'Authorization decisions, by backend, decision (allow, deny, error) and cache use.',
    });
    this.connectionsOpen = meter.createObservableGauge(METRIC_NAMES.connectionsOpen, {
      description:
        'Long-lived connections open (WebSocket, Socket.IO, GraphQL over WebSocket, gRPC streams), by transport.',
    });
    this.connectionsClosedTotal = meter.createObservableCounter(METRIC_NAMES.connectionsClosedTotal, {
      description:
        'Long-lived connections closed, by transport and cause (revoked, expired, shutdown, ended).',
    });
    const observables: Observable[] = [
      this.connectionsOpen,
      this.connectionsClosedTotal,
      this.authzTotal,
      this.authTotal,
      this.jwksFetchTotal,
      this.jwksAge,
      this.tokenCacheTotal,
      this.revocationsGauge,
      this.rateLimitedTotal,
    ];
    meter.addBatchObservableCallback((result) => this.observe(result), observables);
  }

  record(seconds: number): void {
    this.duration.record(seconds);
  }

  private observe(result: BatchObservableResult): void {
    const now = snapshot(this.recorders);
    for (const { attributes, value } of now.decisions) result.observe(this.authTotal, value, attributes);
    for (const { attributes, value } of now.authz) result.observe(this.authzTotal, value, attributes);
    for (const { attributes, value } of now.jwksFetches)
      result.observe(this.jwksFetchTotal, value, attributes);
    for (const { attributes, value } of now.jwksAges) result.observe(this.jwksAge, value, attributes);
    result.observe(this.tokenCacheTotal, now.tokenCache.hits, CACHE_ATTRIBUTES.hit);
    result.observe(this.tokenCacheTotal, now.tokenCache.misses, CACHE_ATTRIBUTES.miss);
    result.observe(this.revocationsGauge, now.revocations);
    result.observe(this.rateLimitedTotal, now.rateLimited.identity, RATE_LIMIT_ATTRIBUTES.identity);
    result.observe(this.rateLimitedTotal, now.rateLimited.failed_auth, RATE_LIMIT_ATTRIBUTES.failed_auth);
    for (const { attributes, value } of now.connectionsOpen)
      result.observe(this.connectionsOpen, value, attributes);
    for (const { attributes, value } of now.connectionsClosed)
      result.observe(this.connectionsClosedTotal, value, attributes);
  }
}

/** The duration histogram a recorder keeps itself: counts per bucket of {@link DURATION_BUCKETS}. @internal */
export class DurationHistogram {
  /** Observations per bucket (not cumulative); the last is above every bound. */
  readonly counts: number[] = new Array(DURATION_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;

  record(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}
