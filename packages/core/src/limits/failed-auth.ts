import { RateLimitedError } from '../errors.js';
import type { ChangeBus } from '../state/change-bus.js';
import type { Counters } from '../state/counters.js';

/** `GATEHOUSE_FAILED_AUTH_LIMIT` in camelCase: failed authentications per client address per window. */
export interface FailedAuthLimitOptions {
  readonly attempts: number;
  readonly windowSecs: number;
}

const TOPIC = 'failed-auth';
const POLICY = 'failed_auth';

/**
 * Throttles credential guessing: after `attempts` failed authentications (a 401 for presented
 * credentials) from one client address in a fixed window, every request from that address gets 429
 * until the window ends, on every instance. Failures are counted in the shared store; the instance whose
 * count crosses the limit broadcasts the block, and every instance keeps the blocked addresses in
 * memory, so {@link check} is one `Map` lookup (none while nothing is blocked). Each instance also counts
 * the failures it sees itself, which is all there is while the store is unreachable.
 *
 * @example
 * ```ts
 * const throttle = new FailedAuthThrottle({ attempts: 20, windowSecs: 60 }, state.counters, state.bus);
 * const blocked = throttle.check(address); // a RateLimitedError, or undefined
 * // after answering 401 to presented credentials:
 * await throttle.recordFailure(address);
 * ```
 */
export class FailedAuthThrottle {
  private readonly blocked = new Map<string, number>();
  private readonly counts = new Map<string, { window: number; count: number }>();
  private readonly windowMs: number;
  private readonly unsubscribe: () => void;
  private sweptWindow = 0;

  constructor(
    private readonly options: FailedAuthLimitOptions,
    private readonly counters: Counters,
    private readonly bus: ChangeBus,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = options.windowSecs * 1000;
    this.unsubscribe = bus.subscribe(TOPIC, (message) => this.onMessage(message));
  }

  /** The 429 for a blocked address, else undefined. */
  check(address: string | undefined): RateLimitedError | undefined {
    if (this.blocked.size === 0 || address === undefined) return undefined;
    const until = this.blocked.get(address);
    if (until === undefined) return undefined;
    const now = this.now();
    if (until <= now) {
      this.blocked.delete(address);
      return undefined;
    }
    return new RateLimitedError({
      reason: 'failed_auth',
      policy: POLICY,
      limit: this.options.attempts,
      windowSecs: this.options.windowSecs,
      retryAfterSecs: (until - now) / 1000,
    });
  }

  /**
   * Counts a failed authentication from `address`. Resolves once the shared count is known (and, when it
   * crosses the limit, the block is broadcast); never rejects.
   */
  recordFailure(address: string | undefined): Promise<void> {
    if (address === undefined) return Promise.resolve();
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (window !== this.sweptWindow) this.sweep(window, now);
    let local = this.counts.get(address);
    if (local === undefined || local.window !== window) {
      local = { window, count: 0 };
      this.counts.set(address, local);
    }
    local.count++;
    const until = (window + 1) * this.windowMs;
    if (local.count >= this.options.attempts) this.blocked.set(address, until);
    try {
      const total = this.counters.increment(`fa:${address}:${window}`, 1, until - now + 5000);
      if (typeof total === 'number') return this.onTotal(address, until, total);
      return total.then(
        (t) => this.onTotal(address, until, t),
        () => {},
      );
    } catch {
      return Promise.resolve();
    }
  }

  /** Stops listening to other instances' blocks. */
  close(): void {
    this.unsubscribe();
  }

  private onTotal(address: string, until: number, total: number): Promise<void> {
    if (total < this.options.attempts) return Promise.resolve();
    this.blocked.set(address, until);
    // Once, when the shared count crosses the limit: every instance blocks the address from then on.
    // Awaited, so that the refusal leaves only after the block is on its way to every instance.
    if (total !== this.options.attempts) return Promise.resolve();
    return this.bus.publish(TOPIC, JSON.stringify({ a: address, u: until }));
  }

  private onMessage(message: string): void {
    try {
      const { a, u } = JSON.parse(message) as { a?: unknown; u?: unknown };
      if (typeof a === 'string' && typeof u === 'number' && u > this.now()) {
        this.blocked.set(a, Math.max(u, this.blocked.get(a) ?? 0));
      }
    } catch {
      // not ours
    }
  }

  private sweep(window: number, now: number): void {
    this.sweptWindow = window;
    for (const [address, c] of this.counts) if (c.window < window) this.counts.delete(address);
    for (const [address, until] of this.blocked) if (until <= now) this.blocked.delete(address);
  }
}
