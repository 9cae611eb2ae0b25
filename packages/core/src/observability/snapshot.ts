/**
 * What the metrics are at one moment, summed over one or more gates' recorders: read by the OpenTelemetry
 * callback (observable instruments) and by the Prometheus text of `GET /metrics` alike, so that both say
 * the same thing.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ConnectionCounts } from './connections.js';
import type { ObservedKeySet, ObservedTokenCache, ProviderInsight } from './insight.js';
import type { DecisionCells } from './labels.js';

/** Something whose current count is a gauge, read at collection time (the revocations in force). */
export interface CountSource {
  count(): number;
}

/** Which limit refused a request with 429: the per-identity rate limit, or the failed-auth throttle. */
export type RateLimitKind = 'identity' | 'failed_auth';

/** What one recorder contributes to a snapshot. @internal */
export interface SnapshotSource {
  readonly cells: DecisionCells;
  readonly insight: () => ProviderInsight;
  readonly rateLimitedCounts: Readonly<Record<RateLimitKind, number>>;
  readonly revocations: CountSource | undefined;
  readonly authzCounts: ReadonlyMap<string, { readonly attributes: Attributes; readonly count: number }>;
  readonly connections: ConnectionCounts | undefined;
}

/** A labelled value. */
export interface Sample {
  readonly attributes: Attributes;
  readonly value: number;
}

/** Every gatehouse metric but the duration histogram, at one moment. @internal */
export interface MetricsSnapshot {
  readonly decisions: readonly Sample[];
  /** Authorization decisions by backend, decision and cache use. */
  readonly authz: readonly Sample[];
  readonly jwksFetches: readonly Sample[];
  readonly jwksAges: readonly Sample[];
  readonly tokenCache: { readonly hits: number; readonly misses: number };
  readonly revocations: number;
  readonly rateLimited: Readonly<Record<RateLimitKind, number>>;
  /** Long-lived connections open now, by `transport`. */
  readonly connectionsOpen: readonly Sample[];
  /** Long-lived connections closed since start, by `transport` and `cause`. */
  readonly connectionsClosed: readonly Sample[];
}

/**
 * Sums what the sources report. Distinct key sets, caches and revocation lists are counted once even
 * when several gates share them. @internal
 */
export function snapshot(sources: Iterable<SnapshotSource>): MetricsSnapshot {
  const decisions = new Sums();
  const authz = new Sums();
  const fetches = new Sums();
  const ages = new Map<string, number>();
  const keySets = new Set<ObservedKeySet>();
  const caches = new Set<ObservedTokenCache>();
  const revocations = new Set<CountSource>();
  const rateLimited: Record<RateLimitKind, number> = { identity: 0, failed_auth: 0 };
  const open = new Sums();
  const closed = new Sums();
  for (const source of sources) {
    for (const { transport, value } of source.connections?.open() ?? []) open.add({ transport }, value);
    for (const { transport, cause, value } of source.connections?.closes() ?? []) {
      closed.add({ transport, cause }, value);
    }
    for (const cell of source.cells.cells()) decisions.add(cell.attributes, cell.count);
    for (const cell of source.authzCounts.values()) authz.add(cell.attributes, cell.count);
    const insight = source.insight();
    for (const keySet of insight.keySets) keySets.add(keySet);
    for (const cache of insight.tokenCaches) caches.add(cache);
    if (source.revocations) revocations.add(source.revocations);
    rateLimited.identity += source.rateLimitedCounts.identity;
    rateLimited.failed_auth += source.rateLimitedCounts.failed_auth;
  }
  for (const keySet of keySets) {
    fetches.add({ issuer: keySet.issuer, result: 'success' }, keySet.fetches.success);
    fetches.add({ issuer: keySet.issuer, result: 'failure' }, keySet.fetches.failure);
    const age = keySet.ageSecs();
    if (age !== undefined) ages.set(keySet.issuer, Math.min(age, ages.get(keySet.issuer) ?? age));
  }
  let hits = 0;
  let misses = 0;
  for (const cache of caches) {
    hits += cache.hits;
    misses += cache.misses;
  }
  let revoked = 0;
  for (const source of revocations) revoked += source.count();
  return {
    decisions: decisions.samples(),
    authz: authz.samples(),
    jwksFetches: fetches.samples(),
    jwksAges: [...ages].map(([issuer, value]) => ({ attributes: { issuer }, value })),
    tokenCache: { hits, misses },
    revocations: revoked,
    rateLimited,
    connectionsOpen: open.samples(),
    connectionsClosed: closed.samples(),
  };
}

/** Values summed by label set (an observable instrument keeps only the last observation of a label set). */
class Sums {
  private readonly entries = new Map<string, { attributes: Attributes; value: number }>();

  add(attributes: Attributes, value: number): void {
    const key = JSON.stringify(Object.values(attributes));
    const entry = this.entries.get(key);
    if (entry) entry.value += value;
    else this.entries.set(key, { attributes, value });
  }

  samples(): Sample[] {
    return [...this.entries.values()];
  }
}
