import { hash } from 'node:crypto';
import type { AuditLogger } from '../audit.js';
import { DEFAULTS } from '../config/defaults.js';

/**
 * The one shared-state operation DPoP needs: "claim this id once, for ttl". `@gatehouse/redis`
 * implements it on Redis (`SET key NX EX ttl`), so that every instance sharing the store sees every
 * claim.
 *
 * @example
 * ```ts
 * const ids: OneTimeIds = { claim: (id, ttl) => redis.set(id, '1', { NX: true, EX: ttl }).then((r) => r === 'OK') };
 * ```
 */
export interface OneTimeIds {
  /**
   * True when `id` had not been claimed (it now is, for `ttlSecs`), false when it had. May answer
   * synchronously; rejects (or throws) when the store cannot be reached.
   */
  claim(id: string, ttlSecs: number): boolean | Promise<boolean>;
}

/** The answer of {@link ReplayGuard.claim}. */
export type ReplayVerdict = 'fresh' | 'replayed' | 'too_old';

/** Options of {@link ReplayGuard}. */
export interface ReplayGuardOptions {
  /** How long an id must be remembered, in seconds: the proof's whole acceptance window. */
  readonly ttlSecs: number;
  /** The store shared by every instance, if any. */
  readonly shared?: OneTimeIds;
  /** Ids this instance remembers by itself. Default 1,000,000. */
  readonly maxEntries?: number;
  /** How long to wait for the shared store before deciding on local memory alone. Default 1000 ms. */
  readonly sharedTimeoutMs?: number;
  readonly now?: () => number;
  readonly logger?: AuditLogger;
}

/**
 * Accepts each DPoP proof `jti` (per key) once (RFC 9449 §11.1). Every instance remembers the proofs it
 * has seen in memory, and asks the shared store too when there is one, so a proof replayed on another
 * instance is refused. While the shared store is unreachable (an error or no answer within
 * `sharedTimeoutMs`), each instance decides on what it has seen itself, and says so once in the log.
 *
 * Memory is bounded without opening a replay window: when the local set is full, the oldest id is
 * dropped and the guard from then on refuses proofs issued before that id was claimed (plus the
 * proofs' future skew), since it could no longer tell whether they were seen.
 *
 * @example
 * ```ts
 * const guard = new ReplayGuard({ ttlSecs: 360 });
 * guard.claim(jkt, jti, iat); // 'fresh', then 'replayed'
 * ```
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly shared: OneTimeIds | undefined;
  private readonly logger: AuditLogger | undefined;
  /** Proofs issued before this time (ms) may have been forgotten; they are refused. */
  private horizonMs = Number.NEGATIVE_INFINITY;
  private sharedDown = false;

  constructor(options: ReplayGuardOptions) {
    this.ttlMs = options.ttlSecs * 1000;
    this.maxEntries = options.maxEntries ?? DEFAULTS.dpopReplayMaxEntries;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError('"maxEntries" must be a positive integer');
    }
    this.timeoutMs = options.sharedTimeoutMs ?? DEFAULTS.dpopReplayStoreTimeoutMs;
    this.now = options.now ?? Date.now;
    this.shared = options.shared;
    this.logger = options.logger;
  }

  /**
   * Claims the proof `jti` of key `jkt`, issued at `iatSecs`. Synchronous without a shared store;
   * with one, a promise (the store is asked only when this instance has not seen the proof itself).
   * `skewSecs` is how far in the future an accepted `iat` may lie.
   */
  claim(jkt: string, jti: string, iatSecs: number, skewSecs = 0): ReplayVerdict | Promise<ReplayVerdict> {
    const now = this.now();
    this.sweep(now);
    if (iatSecs * 1000 < this.horizonMs + skewSecs * 1000) return 'too_old';
    const id = hash('sha256', `${jkt} ${jti}`, 'base64url');
    if (this.seen.has(id)) return 'replayed';
    if (this.seen.size >= this.maxEntries) {
      const [oldest, claimedAt] = this.seen.entries().next().value as [string, number];
      this.seen.delete(oldest);
      this.horizonMs = Math.max(this.horizonMs, claimedAt);
    }
    this.seen.set(id, now);
    if (this.shared === undefined) return 'fresh';
    return this.askShared(id);
  }

  /** Number of proof ids remembered locally. */
  get size(): number {
    return this.seen.size;
  }

  private async askShared(id: string): Promise<ReplayVerdict> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        Promise.resolve().then(() => this.shared!.claim(`dpop-jti:${id}`, Math.ceil(this.ttlMs / 1000))),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer in time')), this.timeoutMs);
        }),
      ]);
      if (this.sharedDown) {
        this.sharedDown = false;
        this.logger?.info({ event: 'gatehouse.dpop.replay_store_restored' }, 'DPoP replay store reachable');
      }
      return answer ? 'fresh' : 'replayed';
    } catch (err) {
      if (!this.sharedDown) {
        this.sharedDown = true;
        this.logger?.warn(
          {
            event: 'gatehouse.dpop.replay_store_unreachable',
            reason: err instanceof Error ? err.message : String(err),
          },
          'DPoP replay store unreachable: each instance checks the proofs it has seen itself',
        );
      }
      return 'fresh';
    } finally {
      clearTimeout(timer);
    }
  }

  // Ids are inserted in time order, so expired ones sit at the front.
  private sweep(now: number): void {
    for (const [id, claimedAt] of this.seen) {
      if (claimedAt + this.ttlMs > now) return;
      this.seen.delete(id);
    }
  }
}
