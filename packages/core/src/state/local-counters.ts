import type { Counters, LeaseRequest, LeaseResult } from './counters.js';

/**
 * Counters kept in this process until they expire: the in-process store's part. Exact and synchronous.
 *
 * @example
 * ```ts
 * const counters = new LocalCounters();
 * counters.lease({ key: 'alice:29', limit: 100, want: 10, debt: 0, ttlMs: 61_000 }); // { granted: 10, used: 10 }
 * ```
 */
export class LocalCounters implements Counters {
  private readonly counts = new Map<string, { value: number; expiresAt: number }>();
  private nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Charges `debt`, then grants up to `want` of what is left of `limit`. */
  lease(request: LeaseRequest): LeaseResult {
    const entry = this.entry(request.key, request.ttlMs);
    entry.value += request.debt;
    const granted = Math.max(0, Math.min(request.want, request.limit - entry.value));
    entry.value += granted;
    return { granted, used: entry.value };
  }

  /** Adds `by` and returns the total. */
  increment(key: string, by: number, ttlMs: number): number {
    const entry = this.entry(key, ttlMs);
    entry.value += by;
    return entry.value;
  }

  /** Always 1: this process alone. */
  instances(): number {
    return 1;
  }

  /** Always true. */
  isReachable(): boolean {
    return true;
  }

  private entry(key: string, ttlMs: number): { value: number; expiresAt: number } {
    const now = this.now();
    if (now >= this.nextSweep) {
      this.nextSweep = now + 1000;
      for (const [k, e] of this.counts) if (e.expiresAt <= now) this.counts.delete(k);
    }
    let entry = this.counts.get(key);
    if (entry === undefined || entry.expiresAt <= now) {
      entry = { value: 0, expiresAt: now + ttlMs };
      this.counts.set(key, entry);
    }
    return entry;
  }
}
