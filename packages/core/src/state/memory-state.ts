import { unrefTimer } from '../platform/timers.js';
import { LocalBus } from './change-bus.js';
import { LocalClaims } from './local-claims.js';
import { LocalCounters } from './local-counters.js';
import type { Revocation } from './revocation.js';
import { RevocationList } from './revocation-list.js';
import type { RevocationStore } from './revocation-store.js';
import type { SharedState } from './shared-state.js';

/** Options of {@link MemoryState}. */
export interface MemoryStateOptions {
  /** Current time in milliseconds (for tests). */
  readonly now?: () => number;
  /** Most one-time ids remembered (see `LocalClaims`). Default 1,000,000. */
  readonly maxOneTimeIds?: number;
}

/**
 * The default {@link SharedState}: everything in this process, always reachable, every answer
 * synchronous. Right for one instance; several instances each decide alone (use `@gatehouse/redis` to
 * share).
 *
 * @example
 * ```ts
 * const state = new MemoryState();
 * await state.revocations.store({ id: 'r1', kind: 'api_key', apiKey: 'billing', createdAt: Date.now(), expiresAt: null });
 * state.revocations.inForce.size; // 1
 * ```
 */
export class MemoryState implements SharedState {
  readonly kind = 'memory';
  readonly oneTimeIds: LocalClaims;
  readonly counters: LocalCounters;
  readonly revocations: RevocationStore & { readonly inForce: RevocationList };
  readonly bus = new LocalBus();
  private readonly pruner: ReturnType<typeof setInterval>;

  constructor(options: MemoryStateOptions = {}) {
    const now = options.now ?? Date.now;
    this.oneTimeIds = new LocalClaims(now, options.maxOneTimeIds);
    this.counters = new LocalCounters(now);
    const inForce = new RevocationList();
    this.revocations = {
      inForce,
      store: (revocation: Revocation) => {
        inForce.add(revocation);
        return Promise.resolve();
      },
      lift: (id: string) => Promise.resolve(inForce.delete(id)),
    };
    this.pruner = setInterval(() => inForce.prune(now()), 60_000);
    unrefTimer(this.pruner);
  }

  isReachable(): boolean {
    return true;
  }

  close(): Promise<void> {
    clearInterval(this.pruner);
    return Promise.resolve();
  }
}
