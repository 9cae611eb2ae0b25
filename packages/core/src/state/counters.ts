/**
 * The counters part of a shared state: rate-limit leases and failed-authentication counts, summed over
 * every instance.
 */

/** A request for a slice of a rate-limit window's quota (see {@link Counters.lease}). */
export interface LeaseRequest {
  /** The counter: one per identity and window (the store may hash or prefix it). */
  readonly key: string;
  /** The window's quota, summed over every instance. */
  readonly limit: number;
  /** How many requests the caller would like to admit from this slice. */
  readonly want: number;
  /** Requests already admitted on credit, charged before anything is granted (may exceed the limit). */
  readonly debt: number;
  /** How long the counter must live: until its window ends, plus a margin. */
  readonly ttlMs: number;
}

/** The answer to a {@link LeaseRequest}. */
export interface LeaseResult {
  /** Requests the caller may admit now (0 to `want`). */
  readonly granted: number;
  /** The window's total count after this lease (debt and grant included), over every instance. */
  readonly used: number;
}

/**
 * Counters shared by the instances. Rules (checked by the conformance suite):
 * - `lease` is atomic over every instance: it charges `debt`, then grants `min(want, limit − used)`
 *   (never below 0), so concurrent leases never grant more than `limit` in total;
 * - `increment` adds and returns the total over every instance;
 * - a counter lives `ttlMs` from its first write, then starts again from 0;
 * - keys are opaque strings (the store may hash or prefix them);
 * - while the backend is unreachable both throw or reject (callers then count alone), and
 *   {@link isReachable} says so synchronously.
 *
 * @example
 * ```ts
 * const { granted } = await state.counters.lease({ key: 'rl:alice:29', limit: 100, want: 10, debt: 0, ttlMs: 65_000 });
 * ```
 */
export interface Counters {
  /** Takes a slice of a window's quota (see the rules above). Synchronous when the store is in process. */
  lease(request: LeaseRequest): LeaseResult | Promise<LeaseResult>;
  /** Adds `by` to the counter `key` (which lives `ttlMs`) and returns the total over every instance. */
  increment(key: string, by: number, ttlMs: number): number | Promise<number>;
  /** Instances counting on this store that were alive in the last few seconds (1 in process). */
  instances(): number;
  /** Whether a call now would reach the backend (cheap, synchronous): false → count alone at once. */
  isReachable(): boolean;
}
