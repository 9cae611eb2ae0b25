/** Scrapes every app's `/metrics` and `/ready` once a second and keeps the last minutes of points. */
import { parsePrometheusText, quantile, type Totals, totalsOf } from './prometheus.js';

const SAMPLE_EVERY_MS = 1000;
const KEEP_SAMPLES = 180;
const SCRAPE_TIMEOUT_MS = 2000;

/** One point of every plotted series. */
export interface Point {
  time: number;
  outcomes: Record<string, number>;
  codes: Record<string, number>;
  latencyMs: { p50: number | null; p99: number | null };
  cacheHitRatio: number | null;
  jwks: { success: number; failure: number };
  rateLimited: number;
  revocations: number;
}

const diff = (now: number, before: number | undefined) => Math.max(0, now - (before ?? 0));

/** One point of every plotted series, from two consecutive totals `dt` seconds apart. */
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

/** An app the page watches. */
export interface Target {
  readonly name: string;
  /** Its origin. */
  readonly url: string;
}

/** What the page shows of an app: its `/metrics` status and its readiness. */
export interface AppState {
  readonly name: string;
  readonly url: string;
  metrics: string;
  ready: string;
}

/** The options of a {@link MetricsSampler}. */
export interface SamplerOptions {
  readonly targets: readonly Target[];
  /** The `Authorization` value of the scrapes (a key with `metrics:read`); never sent to the browser. */
  readonly authorization: string;
  readonly intervalMs?: number;
}

function describeMissing(body: string): string {
  try {
    const missing =
      (JSON.parse(body) as { missing?: { issuer?: string; component?: string }[] }).missing ?? [];
    return missing.map((m) => m.issuer ?? m.component).join(', ') || 'unknown';
  } catch {
    return 'unknown';
  }
}

async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  return { status: res.status, body: await res.text() };
}

/** Scrapes the targets every second and keeps the last three minutes of points. */
export class MetricsSampler {
  readonly points: Point[] = [];
  readonly apps: AppState[];
  private readonly intervalMs: number;
  private previous: { time: number; totals: Totals } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SamplerOptions) {
    this.intervalMs = options.intervalMs ?? SAMPLE_EVERY_MS;
    this.apps = options.targets.map((t) => ({
      name: t.name,
      url: t.url,
      metrics: 'unknown',
      ready: 'unknown',
    }));
  }

  start(): void {
    const tick = () => {
      void this.sample().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Scrapes every target once and adds a point. */
  async sample(): Promise<void> {
    const time = Date.now();
    const texts = await Promise.all(
      this.options.targets.map((target, i) => this.scrape(target, this.apps[i]!)),
    );
    const totals = totalsOf(texts.flatMap(parsePrometheusText));
    if (this.previous !== undefined) {
      const dt = Math.max(0.001, (time - this.previous.time) / 1000);
      this.points.push(pointOf(totals, this.previous.totals, dt, time));
      if (this.points.length > KEEP_SAMPLES) this.points.shift();
    }
    this.previous = { time, totals };
  }

  private async scrape(target: Target, app: AppState): Promise<string> {
    const [metrics, ready] = await Promise.allSettled([
      get(`${target.url}/metrics`, { authorization: this.options.authorization }),
      get(`${target.url}/ready`, {}),
    ]);
    app.metrics = metrics.status === 'fulfilled' ? String(metrics.value.status) : 'down';
    app.ready =
      ready.status === 'fulfilled'
        ? ready.value.status === 200
          ? 'ready'
          : `not ready: ${describeMissing(ready.value.body)}`
        : 'down';
    return metrics.status === 'fulfilled' && metrics.value.status === 200 ? metrics.value.body : '';
  }

  /** What `/series.json` serves. */
  snapshot(): { apps: AppState[]; points: Point[] } {
    return { apps: this.apps, points: this.points };
  }
}
