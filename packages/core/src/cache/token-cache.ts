import { LRUCache } from 'lru-cache';
import type { AuthContext } from '../context.js';
import type { ObservedTokenCache } from '../observability/insight.js';
import { sha256 } from '../platform/digest.js';

/**
 * Validated tokens, keyed by their SHA-256 digest so that the raw tokens are never retained (a heap dump
 * shows digests, not credentials). An entry lives until the sooner of the cache TTL and the token's own
 * expiry, so a cached token never outlives its `exp`. Size 0 or TTL 0 disables caching.
 *
 * Hashing is the dearest part of a cache hit (a call into OpenSSL costs about 5 µs in a busy server,
 * whatever the length), so the cache avoids it where it can't pay off:
 * - a token is admitted the second time it is verified (a "doorkeeper", as in TinyLFU): a token seen
 *   once is never hashed and never evicts an entry that is in use;
 * - a lookup hashes only when a cached token has the same 32-bit fingerprint (taken from the last
 *   characters of the signature; it reveals nothing usable), so a token that was never cached is not
 *   hashed either. The digest, not the fingerprint, decides a hit.
 */
export class TokenCache implements ObservedTokenCache {
  /** Lookups that found a live entry (for `gatehouse_token_cache_total`; counting costs one increment). */
  hits = 0;
  /** Lookups that found nothing, or an expired entry. Not counted while the cache is disabled. */
  misses = 0;
  private readonly entries: LRUCache<string, Entry> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** How many cached entries have each fingerprint. */
  private readonly cachedPrints = new Map<number, number>();
  /** Fingerprints of tokens verified once, direct-mapped (a collision overwrites). */
  private readonly doorkeeper: Int32Array;

  /** Whether a token is cached the first time it is added, without the doorkeeper (introspection). */
  private readonly admitFirst: boolean;

  constructor(options: { size: number; ttlSecs: number; now: () => number; admitFirst?: boolean }) {
    this.ttlMs = options.ttlSecs * 1000;
    this.now = options.now;
    this.admitFirst = options.admitFirst ?? false;
    const enabled = options.size > 0 && this.ttlMs > 0;
    this.entries = enabled
      ? new LRUCache<string, Entry>({
          max: options.size,
          dispose: (entry) => this.forgetPrint(entry.print),
        })
      : undefined;
    this.doorkeeper = new Int32Array(enabled ? doorkeeperSlots(options.size) : 0);
  }

  /** The digest a token is cached under. */
  static digest(token: string): string {
    return sha256(token, 'base64');
  }

  /** The identity cached for `token`, if any (and not past its expiry). */
  get(token: string): AuthContext | undefined {
    if (this.entries === undefined) return undefined;
    if (!this.cachedPrints.has(fingerprint(token))) {
      this.misses++;
      return undefined;
    }
    const digest = TokenCache.digest(token);
    const entry = this.entries.get(digest);
    if (entry !== undefined && this.now() < entry.expiresAtMs) {
      this.hits++;
      return entry.context;
    }
    if (entry !== undefined) this.entries.delete(digest);
    this.misses++;
    return undefined;
  }

  /**
   * Records that `token` was verified as `context`. The first time, only its fingerprint is noted; from
   * the second time on it is cached until the sooner of now + TTL and `tokenExpiresAtMs`.
   */
  add(token: string, context: AuthContext, tokenExpiresAtMs: number): void {
    if (this.entries === undefined) return;
    const now = this.now();
    const expiresAtMs = Math.min(now + this.ttlMs, tokenExpiresAtMs);
    if (expiresAtMs <= now) return;
    const print = fingerprint(token);
    if (!this.admitFirst) {
      const slot = print & (this.doorkeeper.length - 1);
      if (this.doorkeeper[slot] !== print) {
        this.doorkeeper[slot] = print;
        return;
      }
      this.doorkeeper[slot] = 0;
    }
    // Counted before set(): set() disposes of an entry it replaces, which uncounts that one.
    this.cachedPrints.set(print, (this.cachedPrints.get(print) ?? 0) + 1);
    this.entries.set(TokenCache.digest(token), { context, expiresAtMs, print });
  }

  /** Number of cached entries. */
  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** Forgets every cached token, and every token seen once. */
  clear(): void {
    this.entries?.clear();
    this.doorkeeper.fill(0);
  }

  private forgetPrint(print: number): void {
    const count = this.cachedPrints.get(print) ?? 0;
    if (count <= 1) this.cachedPrints.delete(print);
    else this.cachedPrints.set(print, count - 1);
  }
}

interface Entry {
  readonly context: AuthContext;
  readonly expiresAtMs: number;
  readonly print: number;
}

// Twice the cache size, as a power of two, at least 64 and at most 2^20 slots (4 MiB).
function doorkeeperSlots(size: number): number {
  let slots = 64;
  while (slots < 2 * size && slots < 1 << 20) slots *= 2;
  return slots;
}

/**
 * A cheap 32-bit fingerprint of a token from its last 12 characters (of a JWS: the signature's), never 0.
 * Not a security boundary: equal fingerprints only send the token to the digest.
 */
function fingerprint(token: string): number {
  const end = token.length;
  let h = end;
  for (let i = end > 12 ? end - 12 : 0; i < end; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x9e3779b1);
  h ^= h >>> 15;
  return h | 0 || 1;
}
