import type { AuthContext } from '../context.js';
import { RateLimitedError } from '../errors.js';
import { sha256 } from '../platform/digest.js';
import type { Counters, LeaseResult } from '../state/counters.js';

/** `GATEHOUSE_RATE_LIMIT` in camelCase: requests per identity per fixed window, over every instance. */
export interface RateLimitOptions {
  readonly requests: number;
  readonly windowSecs: number;
  /** Per-identity quotas, by API key name or OIDC subject (at any issuer). */
  readonly identities?: Readonly<Record<string, { readonly requests: number }>>;
}

type Verdict = RateLimitedError | undefined;

interface Bucket {
  readonly window: number;
  readonly limit: number;
  readonly key: string;
  /** Leased quota not spent yet. */
  quota: number;
  /** Requests admitted on credit, to be charged with the next lease. */
  debt: number;
  /** Debt sent with the lease in flight. */
  sending: number;
  fetching: boolean;
  /** No more quota can be leased in this window. */
  exhausted: boolean;
  /** The window's count over every instance, as of the last lease. */
  used: number;
  lastGrant: number;
  grantedAt: number;
  /** Requests this instance admitted in this window. */
  admitted: number;
  readonly waiters: ((verdict: Verdict) => void)[];
}

/** Name of the policy in the `RateLimit-Policy` and `RateLimit` headers. */
const POLICY = 'default';

/**
 * Per-identity rate limits over fixed windows, summed over every instance that shares the store,
 * without a store round trip on the hot path. Each instance leases slices of a window's quota from the
 * store (atomically), spends them from memory, and leases the next slice in the background before the
 * current one runs out. Slices shrink as the window's quota does (at most half of what is left, split
 * over the live instances), so quota leased but unspent elsewhere stays small.
 *
 * A request that finds no local quota while the window is not known to be exhausted is admitted on
 * credit (charged with the next lease), at most `1 + 10 % of the quota / instances` per instance at a
 * time: the overshoot is at most 10 % + one request per instance. Past that credit, a request waits for
 * the lease already on its way (the first burst of a window on an instance); it never starts a round
 * trip of its own. With the store unreachable, each instance counts alone.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ requests: 100, windowSecs: 60 }, state.counters);
 * const verdict = limiter.check(auth); // undefined (admit), a RateLimitedError, or a promise of either
 * ```
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Map<string, Bucket>>();
  private readonly windowMs: number;
  private readonly overrides: ReadonlyMap<string, number>;
  private sweptWindow = 0;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly counters: Counters,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = options.windowSecs * 1000;
    this.overrides = new Map(Object.entries(options.identities ?? {}).map(([k, v]) => [k, v.requests]));
  }

  /**
   * Counts one request of `auth`: undefined to admit it, a {@link RateLimitedError} to refuse it, or (only
   * for the first burst of a window on this instance) a promise of either.
   */
  check(auth: AuthContext): Verdict | Promise<Verdict> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.sweptWindow) this.sweep(window);
    let bySubject = this.buckets.get(auth.issuer);
    if (bySubject === undefined) {
      bySubject = new Map();
      this.buckets.set(auth.issuer, bySubject);
    }
    let b = bySubject.get(auth.subject);
    if (b === undefined || b.window !== window) {
      b = this.bucket(auth, window);
      bySubject.set(auth.subject, b);
    }
    if (b.quota > 0) {
      b.quota--;
      b.admitted++;
      if (b.quota <= b.lastGrant >> 1) this.fetch(b);
      return undefined;
    }
    if (b.exhausted) return this.refusal(b, now);
    if (!this.counters.isReachable()) return this.alone(b, now);
    if (b.debt + b.sending < this.creditLimit(b)) {
      b.debt++;
      b.admitted++;
      this.fetch(b);
      return undefined;
    }
    this.fetch(b);
    if (!b.fetching) return b.quota > 0 || b.exhausted ? this.check(auth) : this.alone(b, now);
    return new Promise<Verdict>((resolve) => b.waiters.push(resolve));
  }

  /** Identities tracked in the current window (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const inner of this.buckets.values()) n += inner.size;
    return n;
  }

  private bucket(auth: AuthContext, window: number): Bucket {
    const limit = this.overrides.get(auth.subject) ?? this.options.requests;
    // Hashed so that subjects never appear in the store's key names, and keys stay short.
    const digest = sha256(`${auth.issuer}\u0000${auth.subject}`, 'base64url').slice(0, 22);
    return {
      window,
      limit,
      key: `rl:${digest}:${window}`,
      quota: 0,
      debt: 0,
      sending: 0,
      fetching: false,
      exhausted: limit === 0,
      used: 0,
      lastGrant: 0,
      grantedAt: 0,
      admitted: 0,
      waiters: [],
    };
  }

  // Credit per instance: the contract's overshoot (10 % + one request per instance), split evenly.
  private creditLimit(b: Bucket): number {
    return 1 + Math.floor((0.1 * b.limit) / Math.max(1, this.counters.instances()));
  }

  private want(b: Bucket, now: number): number {
    // Requests waiting are real: ask for exactly them, so that nothing is left unspent when they stop.
    if (b.waiters.length > 0) return b.waiters.length;
    const instances = Math.max(1, this.counters.instances());
    const cap = Math.max(1, Math.floor((b.limit - b.used) / (2 * instances)));
    // Double while leases are spent within a second; halve when they last longer.
    const next = b.lastGrant === 0 ? 1 : now - b.grantedAt < 1000 ? b.lastGrant * 2 : b.lastGrant >> 1;
    return Math.min(cap, Math.max(1, next));
  }

  private fetch(b: Bucket): void {
    if (b.fetching || b.exhausted) return;
    const now = this.now();
    const want = this.want(b, now);
    const debt = b.debt;
    b.debt = 0;
    b.sending = debt;
    b.fetching = true;
    let result: LeaseResult | Promise<LeaseResult>;
    try {
      result = this.counters.lease({
        key: b.key,
        limit: b.limit,
        want,
        debt,
        ttlMs: (b.window + 1) * this.windowMs - now + 5000,
      });
    } catch {
      this.failed(b);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (r) => this.granted(b, r),
        () => this.failed(b),
      );
    } else this.granted(b, result);
  }

  private granted(b: Bucket, r: LeaseResult): void {
    b.fetching = false;
    b.sending = 0;
    b.quota += r.granted;
    b.used = r.used;
    b.lastGrant = r.granted;
    b.grantedAt = this.now();
    if (r.used >= b.limit) b.exhausted = true;
    while (b.waiters.length > 0 && b.quota > 0) {
      b.quota--;
      b.admitted++;
      b.waiters.shift()!(undefined);
    }
    if (b.waiters.length > 0 && b.exhausted) {
      const now = this.now();
      for (const resolve of b.waiters.splice(0)) resolve(this.refusal(b, now));
    } else if (b.waiters.length > 0 || b.debt > 0) this.fetch(b);
  }

  private failed(b: Bucket): void {
    b.fetching = false;
    b.debt += b.sending;
    b.sending = 0;
    const now = this.now();
    for (const resolve of b.waiters.splice(0)) resolve(this.alone(b, now));
  }

  // The store is unreachable: this instance counts alone, and charges what it admitted once it can.
  private alone(b: Bucket, now: number): Verdict {
    if (b.admitted >= b.limit) return this.refusal(b, now);
    b.admitted++;
    b.debt++;
    return undefined;
  }

  private refusal(b: Bucket, now: number): RateLimitedError {
    return new RateLimitedError({
      reason: 'identity',
      policy: POLICY,
      limit: b.limit,
      windowSecs: this.options.windowSecs,
      retryAfterSecs: ((b.window + 1) * this.windowMs - now) / 1000,
    });
  }

  private sweep(window: number): void {
    this.sweptWindow = window;
    for (const [issuer, inner] of this.buckets) {
      for (const [subject, b] of inner) {
        if (b.window < window && !b.fetching && b.waiters.length === 0) inner.delete(subject);
      }
      if (inner.size === 0) this.buckets.delete(issuer);
    }
  }
}
