import type { ClaimVerdict, OneTimeClaim, OneTimeIds } from './one-time-ids.js';

/** Default most ids a {@link LocalClaims} holds. */
const MAX_ENTRIES = 1_000_000;

/**
 * One-time ids remembered in this process until they expire: the in-process store's part, and what a
 * shared store answers from first (and alone while its backend is unreachable). Synchronous.
 *
 * Memory is bounded without opening a replay window: when full, the oldest claim is forgotten and, from
 * then on, ids whose `issuedAt` is not after that claim's time are refused as `too_old` (they may have
 * been among the forgotten).
 *
 * @example
 * ```ts
 * const seen = new LocalClaims();
 * seen.claim({ scope: 'dpop-jti', id: 'e1j3V_bKic8-LAEB', ttlSecs: 300 }); // 'fresh'
 * seen.claim({ scope: 'dpop-jti', id: 'e1j3V_bKic8-LAEB', ttlSecs: 300 }); // 'replayed'
 * ```
 */
export class LocalClaims implements OneTimeIds {
  /** key → [claimed at, expires at], in the order claimed. */
  private readonly entries = new Map<string, [number, number]>();
  /** Ids claimed up to this time (ms) may have been forgotten. */
  private horizon = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number = Date.now,
    /** Most ids held. */
    private readonly maxEntries = MAX_ENTRIES,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('"maxEntries" must be a positive integer');
    }
  }

  claim(claim: OneTimeClaim): ClaimVerdict {
    const now = this.now();
    this.sweep(now);
    const key = keyOf(claim.scope, claim.id);
    const entry = this.entries.get(key);
    if (entry !== undefined && entry[1] > now) return 'replayed';
    if (claim.issuedAt !== undefined && claim.issuedAt <= this.horizon) return 'too_old';
    if (entry !== undefined) this.entries.delete(key); // expired: claimed again, at the end
    if (this.entries.size >= this.maxEntries) {
      const [oldest, [claimedAt]] = this.entries.entries().next().value as [string, [number, number]];
      this.entries.delete(oldest);
      this.horizon = Math.max(this.horizon, claimedAt);
    }
    this.entries.set(key, [now, now + claim.ttlSecs * 1000]);
    return 'fresh';
  }

  /** Whether `id` is claimed in `scope` now. */
  has(scope: string, id: string): boolean {
    const entry = this.entries.get(keyOf(scope, id));
    return entry !== undefined && entry[1] > this.now();
  }

  release(scope: string, id: string): void {
    this.entries.delete(keyOf(scope, id));
  }

  /** Number of ids held (some expired ones included until they reach the front). */
  get size(): number {
    return this.entries.size;
  }

  // Claims sit in the order made: expired ones at the front go at once (with one time to live per
  // scope, that is all of them; a longer-lived id in front only delays the others until it expires).
  private sweep(now: number): void {
    for (const [key, [, expiresAt]] of this.entries) {
      if (expiresAt > now) return;
      this.entries.delete(key);
    }
  }
}

function keyOf(scope: string, id: string): string {
  return `${scope}\u0000${id}`;
}
