/** Scrapes every app's `/metrics` and `/ready` once a second and keeps the last minutes of points. */
import { parsePrometheusText, type Totals, totalsOf } from './prometheus.js';
import { type Point, RATE_WINDOW_MS, RateWindow } from './rates.js';

const SAMPLE_EVERY_MS = 1000;
const KEEP_SAMPLES = 180;
const SCRAPE_TIMEOUT_MS = 2000;

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
  /** The window of rates and ratios (default {@link RATE_WINDOW_MS}). */
  readonly windowMs?: number;
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
  private readonly window: RateWindow;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SamplerOptions) {
    this.intervalMs = options.intervalMs ?? SAMPLE_EVERY_MS;
    this.window = new RateWindow(options.windowMs ?? RATE_WINDOW_MS);
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
    const point = this.window.add(time, totalsOf(texts.flatMap(parsePrometheusText)));
    if (point === undefined) return;
    this.points.push(point);
    if (this.points.length > KEEP_SAMPLES) this.points.shift();
  }

  /** The totals of the last scrape (counters since each app started), for the terminal's status line. */
  totals(): Totals | undefined {
    return this.window.latest();
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
  snapshot(): { apps: AppState[]; points: Point[]; windowSecs: number } {
    return {
      apps: this.apps,
      points: this.points,
      windowSecs: (this.options.windowMs ?? RATE_WINDOW_MS) / 1000,
    };
  }
}
