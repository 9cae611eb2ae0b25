/**
 * The plotted series as rates over a sliding window (10 s, like Prometheus `rate()`), not over one scrape:
 * traffic that comes in bursts (a burst every 1.25 s, scrapes every second) would otherwise saw between a
 * burst and nothing. Ratios are null where nothing happened in the window.
 */
import { quantile, type Totals } from './prometheus.js';

/** The window of every rate and ratio. */
export const RATE_WINDOW_MS = 10_000;

/** One point of every plotted series, over the window that ends at `time`. */
export interface Point {
  time: number;
  /** Decisions per second, by outcome. */
  outcomes: Record<string, number>;
  /** Refusals per second, by code. */
  codes: Record<string, number>;
  /** Null where no decision was timed in the window. */
  latencyMs: { p50: number | null; p99: number | null };
  /** Hits / lookups; null where there was no lookup (a gap, not a zero). */
  cacheHitRatio: number | null;
  /** JWKS fetches in the window, by result. */
  jwks: { success: number; failure: number };
  /** 429 answers per second. */
  rateLimited: number;
  /** Revocations in force at `time`. */
  revocations: number;
}

const diff = (now: number, before: number | undefined) => Math.max(0, now - (before ?? 0));

/** One point of every plotted series, from two totals `dt` seconds apart (the ends of a window). */
export function pointOf(now: Totals, before: Totals, dt: number, time: number): Point {
  const rates = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.keys(a).map((k) => [k, diff(a[k]!, b[k]) / dt]));
  const buckets = Object.fromEntries(
    Object.keys(now.buckets).map((le) => [le, diff(now.buckets[le]!, before.buckets[le])]),
  );
  const hits = diff(now.cache.hit, before.cache.hit);
  const lookups = hits + diff(now.cache.miss, before.cache.miss);
  const ms = (q: number) => {
    const v = quantile(q, buckets);
    return v === null ? null : v * 1000;
  };
  return {
    time,
    outcomes: rates(now.outcomes, before.outcomes),
    codes: rates(now.codes, before.codes),
    latencyMs: { p50: ms(0.5), p99: ms(0.99) },
    cacheHitRatio: lookups > 0 ? hits / lookups : null,
    jwks: {
      success: diff(now.jwks.success, before.jwks.success),
      failure: diff(now.jwks.failure, before.jwks.failure),
    },
    rateLimited: diff(now.rateLimited, before.rateLimited) / dt,
    revocations: now.revocations,
  };
}

/**
 * The scrapes of the last window: each new one gives the point from the oldest to it, once they span the
 * whole window (before that there is no point: a shorter span would not be the same rate).
 */
export class RateWindow {
  private readonly history: { time: number; totals: Totals }[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /** Adds the totals scraped at `time` (ms); returns the point over the window ending there, if any. */
  add(time: number, totals: Totals): Point | undefined {
    this.history.push({ time, totals });
    while (this.history.length > 2 && this.history[1]!.time <= time - this.windowMs) this.history.shift();
    const oldest = this.history[0]!;
    const span = time - oldest.time;
    if (span < this.windowMs * 0.95) return undefined;
    return pointOf(totals, oldest.totals, span / 1000, time);
  }

  /** The newest totals, or undefined before the first scrape. */
  latest(): Totals | undefined {
    return this.history.at(-1)?.totals;
  }
}
