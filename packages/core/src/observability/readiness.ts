/**
 * Readiness: whether this instance can decide on requests without waiting: every issuer's keys are
 * loaded and every shared component (Redis) answers. Issuers whose keys never loaded are retried in the
 * background, at least every 10 s, once {@link Readiness.warmUp} started the loop.
 */
import { DEFAULTS } from '../config/defaults.js';
import { ConfigError } from '../errors.js';
import { unrefTimer } from '../platform/timers.js';
import type { ObservedKeySet } from './insight.js';

/**
 * A component that must answer for the instance to be ready (the shared-state store). Checked from
 * memory: `isReady()` reports the connection state the component keeps, it never does I/O.
 *
 * @example
 * ```ts
 * const redisProbe: ReadinessProbe = { component: 'redis', isReady: () => client.isReady };
 * ```
 */
export interface ReadinessProbe {
  /** Reported in `missing` as `{"component": "<name>"}` when not ready. */
  readonly component: string;
  isReady(): boolean;
}

/** What keeps an instance from being ready: an issuer without keys, or a component that does not answer. */
export type MissingPart = { readonly issuer: string } | { readonly component: string };

/**
 * The answer of a readiness check.
 *
 * @example
 * ```ts
 * const report = gate.readiness.report();
 * if (!report.ready) console.error('waiting for', report.missing);
 * ```
 */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly missing: readonly MissingPart[];
}

/** The longest retry interval allowed: the contract retries failed issuers at least every 10 s. */
const MAX_RETRY_INTERVAL_MS = 10_000;

/** Options of {@link Readiness}. */
export interface ReadinessOptions {
  /** The key sets to watch (read on every check, so providers may change them). */
  readonly keySets: () => readonly ObservedKeySet[];
  /** Components that must answer (e.g. the Redis-backed shared state). */
  readonly probes?: readonly ReadinessProbe[];
  /** How often issuers without keys are retried, in ms (at most 10,000). Default 5000. */
  readonly retryIntervalMs?: number;
}

/**
 * Tracks readiness and retries issuers whose keys never loaded.
 *
 * @example
 * ```ts
 * const readiness = new Readiness({ keySets: () => provider.insight?.().keySets ?? [] });
 * await readiness.warmUp(); // fetches every issuer's keys once, then retries failures every 5 s
 * const { status, body } = readinessAnswer(readiness.report());
 * ```
 */
export class Readiness {
  private readonly keySets: () => readonly ObservedKeySet[];
  private readonly probes: readonly ReadinessProbe[];
  private readonly retryIntervalMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private retriedAt = Number.NEGATIVE_INFINITY;

  constructor(options: ReadinessOptions) {
    const interval = options.retryIntervalMs ?? DEFAULTS.readinessRetryIntervalMs;
    if (!Number.isInteger(interval) || interval < 1 || interval > MAX_RETRY_INTERVAL_MS) {
      throw new ConfigError('invalid_config', `must be an integer from 1 to ${MAX_RETRY_INTERVAL_MS}`, {
        field: 'readiness.retryIntervalMs',
      });
    }
    this.retryIntervalMs = interval;
    this.keySets = options.keySets;
    this.probes = [...(options.probes ?? [])];
  }

  /**
   * Whether the instance is ready now, and what is missing; from memory, never waits. While warming up,
   * an issuer still missing whose retry is due is retried in the background from here as well: where
   * timers do not outlive a request (workerd), asking for readiness is what retries.
   */
  report(): ReadinessReport {
    const missing: MissingPart[] = [];
    const seen = new Set<string>();
    for (const keySet of this.keySets()) {
      if (!keySet.loaded && !seen.has(keySet.issuer)) {
        seen.add(keySet.issuer);
        missing.push({ issuer: keySet.issuer });
      }
    }
    if (
      missing.length > 0 &&
      this.timer !== undefined &&
      Date.now() - this.retriedAt >= this.retryIntervalMs
    ) {
      void this.retry();
    }
    for (const probe of this.probes) {
      let ready = false;
      try {
        ready = probe.isReady();
      } catch {
        // a probe that throws is not ready
      }
      if (!ready) missing.push({ component: probe.component });
    }
    return { ready: missing.length === 0, missing };
  }

  /**
   * Fetches the keys of every issuer that has none yet (failures are not thrown: they stay in the
   * report), and starts retrying the failed ones in the background. Resolves with the report.
   */
  async warmUp(): Promise<ReadinessReport> {
    this.startRetrying();
    await this.retry();
    return this.report();
  }

  /**
   * Settles (never rejects) once every key-set fetch in flight now has settled; undefined when none is.
   * For runtimes that end a request's work when it answers (a Worker hands it to `ctx.waitUntil`).
   */
  pending(): Promise<void> | undefined {
    const inFlight: Promise<void>[] = [];
    for (const keySet of this.keySets()) {
      if (keySet.pending !== undefined) inFlight.push(keySet.pending);
    }
    return inFlight.length === 0 ? undefined : Promise.allSettled(inFlight).then(() => undefined);
  }

  /** Stops the background retries. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private startRetrying(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.retry(), this.retryIntervalMs);
    unrefTimer(this.timer);
  }

  private async retry(): Promise<void> {
    this.retriedAt = Date.now();
    const pending = this.keySets().filter((keySet) => !keySet.loaded);
    // Failures are logged by the key set and reported by report(); refresh() shares a fetch in flight.
    await Promise.allSettled(pending.map((keySet) => keySet.refresh()));
    // The next retry is due an interval after this one ended.
    this.retriedAt = Date.now();
  }
}

/** What `GET /ready` answers: status, headers (lower-case names) and the JSON body. */
export interface ReadinessAnswer {
  readonly status: 200 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body:
    | { readonly status: 'ready' }
    | { readonly status: 'not_ready'; readonly missing: readonly MissingPart[] };
}

/**
 * The `GET /ready` answer for a report: 200 `{"status": "ready"}`, or 503
 * `{"status": "not_ready", "missing": [{"issuer": …}, {"component": "redis"}]}`.
 *
 * @example
 * ```ts
 * const { status, headers, body } = readinessAnswer(gate.readiness.report());
 * res.status(status).set(headers).json(body);
 * ```
 */
export function readinessAnswer(report: ReadinessReport): ReadinessAnswer {
  const headers = { 'cache-control': 'no-store' };
  return report.ready
    ? { status: 200, headers, body: { status: 'ready' } }
    : { status: 503, headers, body: { status: 'not_ready', missing: report.missing } };
}
