import { unrefTimer } from '../platform/timers.js';
import { LocalClaims } from './local-claims.js';
import { LocalCounters } from './local-counters.js';
import type { Revocation } from './revocation.js';
import { RevocationList } from './revocation-list.js';
import type { LeaseRequest, LeaseResult, SharedState } from './shared-state.js';

/**
 * The default {@link SharedState}: everything in this process, always reachable. Right for one
 * instance; several instances each decide alone (use `@gatehouse/redis` to share).
 *
 * @example
 * ```ts
 * const state = new MemoryState();
 * await state.storeRevocation({ id: 'r1', kind: 'api_key', apiKey: 'billing', createdAt: Date.now(), expiresAt: null });
 * state.revocations.size; // 1
 * ```
 */
export class MemoryState implements SharedState {
  readonly kind = 'memory';
  readonly revocations = new RevocationList();
  private readonly claims: LocalClaims;
  private readonly counters: LocalCounters;
  private readonly topics = new Map<string, Set<(message: string) => void>>();
  private readonly pruner: ReturnType<typeof setInterval>;

  constructor(options: { now?: () => number } = {}) {
    const now = options.now ?? Date.now;
    this.claims = new LocalClaims(now);
    this.counters = new LocalCounters(now);
    this.pruner = setInterval(() => this.revocations.prune(now()), 60_000);
    unrefTimer(this.pruner);
  }

  isReachable(): boolean {
    return true;
  }

  claimOnce(scope: string, id: string, ttlSecs: number): Promise<boolean> {
    return Promise.resolve(this.claims.claim(scope, id, ttlSecs));
  }

  releaseClaim(scope: string, id: string): Promise<void> {
    this.claims.release(scope, id);
    return Promise.resolve();
  }

  storeRevocation(revocation: Revocation): Promise<void> {
    this.revocations.add(revocation);
    return Promise.resolve();
  }

  liftRevocation(id: string): Promise<boolean> {
    return Promise.resolve(this.revocations.delete(id));
  }

  lease(request: LeaseRequest): LeaseResult {
    return this.counters.lease(request);
  }

  increment(key: string, by: number, ttlMs: number): number {
    return this.counters.increment(key, by, ttlMs);
  }

  instances(): number {
    return 1;
  }

  publish(topic: string, message: string): Promise<void> {
    for (const listener of this.topics.get(topic) ?? []) {
      try {
        listener(message);
      } catch {
        // a subscriber's failure is its own
      }
    }
    return Promise.resolve();
  }

  subscribe(topic: string, listener: (message: string) => void): () => void {
    let listeners = this.topics.get(topic);
    if (listeners === undefined) {
      listeners = new Set();
      this.topics.set(topic, listeners);
    }
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  close(): Promise<void> {
    clearInterval(this.pruner);
    return Promise.resolve();
  }
}
