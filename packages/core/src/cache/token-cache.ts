import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { AuthContext } from '../context.js';

/**
 * Validated tokens, keyed by their SHA-256 digest so that the raw tokens are never retained (a heap dump
 * shows digests, not credentials). An entry lives until the sooner of the cache TTL and the token's own
 * expiry, so a cached token never outlives its `exp`. Size 0 or TTL 0 disables caching.
 */
export class TokenCache {
  private readonly entries: LRUCache<string, Entry> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { size: number; ttlSecs: number; now: () => number }) {
    this.ttlMs = options.ttlSecs * 1000;
    this.now = options.now;
    this.entries = options.size > 0 && this.ttlMs > 0 ? new LRUCache({ max: options.size }) : undefined;
  }

  /** The digest a token is cached under. */
  static digest(token: string): string {
    return hash('sha256', token, 'base64');
  }

  get(digest: string): AuthContext | undefined {
    const entry = this.entries?.get(digest);
    if (entry === undefined) return undefined;
    if (this.now() < entry.expiresAtMs) return entry.context;
    this.entries!.delete(digest);
    return undefined;
  }

  /** Caches `context` until the sooner of now + TTL and `tokenExpiresAtMs`. */
  set(digest: string, context: AuthContext, tokenExpiresAtMs: number): void {
    if (this.entries === undefined) return;
    const expiresAtMs = Math.min(this.now() + this.ttlMs, tokenExpiresAtMs);
    if (expiresAtMs > this.now()) this.entries.set(digest, { context, expiresAtMs });
  }

  /** Number of cached entries. */
  get size(): number {
    return this.entries?.size ?? 0;
  }

  clear(): void {
    this.entries?.clear();
  }
}

interface Entry {
  readonly context: AuthContext;
  readonly expiresAtMs: number;
}
