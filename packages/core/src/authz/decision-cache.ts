import { LRUCache } from 'lru-cache';
import type { AuthzRequest, PointAnswer } from './types.js';

/**
 * Decisions per (subject, action, resource, context, policy version), bounded (least recently used out)
 * and never kept past the sooner of the TTL and the token's `exp`. A policy change needs no purge: the
 * version is part of the key. Errors are never cached. Size 0 or TTL 0 disables it.
 * @internal
 */
export class DecisionCache {
  hits = 0;
  misses = 0;
  private readonly entries: LRUCache<string, Entry> | undefined;
  private readonly ttlMs: number;

  constructor(options: { size: number; ttlSecs: number; now: () => number }) {
    this.ttlMs = options.ttlSecs * 1000;
    this.now = options.now;
    this.entries =
      options.size > 0 && this.ttlMs > 0 ? new LRUCache<string, Entry>({ max: options.size }) : undefined;
  }

  private readonly now: () => number;

  /** The key of a request under policy `version`. */
  static key(request: AuthzRequest, version: string): string {
    const { resource, context } = request;
    // Plain concatenation for the common shapes; JSON only for what a route adds (properties, context).
    const owner =
      resource.owner === undefined ? '' : `${resource.owner.subject}\u0001${resource.owner.issuer}`;
    const properties = resource.properties === undefined ? '' : JSON.stringify(resource.properties);
    const contextKey = contextIsEmpty(context) ? '' : JSON.stringify(context);
    return `${request.subject.key}\u0000${request.action}\u0000${resource.type}\u0000${resource.id ?? ''}\u0000${owner}\u0000${properties}\u0000${contextKey}\u0000${version}`;
  }

  get(key: string): PointAnswer | undefined {
    if (this.entries === undefined) return undefined;
    const entry = this.entries.get(key);
    if (entry !== undefined && this.now() < entry.expiresAtMs) {
      this.hits++;
      return entry.answer;
    }
    if (entry !== undefined) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  /** Keeps `answer` until the sooner of now + TTL and `tokenExpiresAtMs` (undefined: no `exp`). */
  set(key: string, answer: PointAnswer, tokenExpiresAtMs: number | undefined): void {
    if (this.entries === undefined) return;
    const now = this.now();
    const expiresAtMs = Math.min(now + this.ttlMs, tokenExpiresAtMs ?? Number.POSITIVE_INFINITY);
    if (expiresAtMs <= now) return;
    this.entries.set(key, { answer, expiresAtMs });
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  clear(): void {
    this.entries?.clear();
  }
}

interface Entry {
  readonly answer: PointAnswer;
  readonly expiresAtMs: number;
}

function contextIsEmpty(context: Readonly<Record<string, unknown>>): boolean {
  for (const _ in context) return false;
  return true;
}
