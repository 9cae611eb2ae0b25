/**
 * One-time ids remembered in this process until they expire: the in-process store's claims, and what
 * a shared store falls back to (and checks first) for the ids this instance has seen.
 *
 * @example
 * ```ts
 * const seen = new LocalClaims();
 * seen.claim('dpop-jti', 'e1j3V_bKic8-LAEB', 300); // true
 * seen.claim('dpop-jti', 'e1j3V_bKic8-LAEB', 300); // false: a replay
 * ```
 */
export class LocalClaims {
  private readonly expiries = new Map<string, number>();
  private nextSweep = 0;

  constructor(
    private readonly now: () => number = Date.now,
    /** Most ids held; past it the soonest-expiring are dropped first. */
    private readonly maxEntries = 1_000_000,
  ) {}

  /** True the first time `id` is claimed in `scope` (until `ttlSecs` have passed), false after. */
  claim(scope: string, id: string, ttlSecs: number): boolean {
    const key = `${scope}\u0000${id}`;
    const now = this.now();
    this.sweep(now);
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.expiries.set(key, now + ttlSecs * 1000);
    return true;
  }

  /** Whether `id` is claimed in `scope` now. */
  has(scope: string, id: string): boolean {
    const expiry = this.expiries.get(`${scope}\u0000${id}`);
    return expiry !== undefined && expiry > this.now();
  }

  /** Forgets a claim. */
  release(scope: string, id: string): void {
    this.expiries.delete(`${scope}\u0000${id}`);
  }

  /** Number of ids held (expired ones included until the next sweep). */
  get size(): number {
    return this.expiries.size;
  }

  // Expired ids go at most once a second, or at once when the map is full.
  private sweep(now: number): void {
    if (now < this.nextSweep && this.expiries.size < this.maxEntries) return;
    this.nextSweep = now + 1000;
    for (const [key, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(key);
    if (this.expiries.size >= this.maxEntries) {
      const byExpiry = [...this.expiries].sort((a, b) => a[1] - b[1]);
      for (const [key] of byExpiry.slice(0, byExpiry.length - Math.floor(this.maxEntries / 2))) {
        this.expiries.delete(key);
      }
    }
  }
}
