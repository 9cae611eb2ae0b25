/**
 * What Gatehouse shares between the instances of a service, as small parts that each feature takes on
 * its own: DPoP replay and back-channel logout take {@link OneTimeIds}; the rate limiter and the
 * failed-authentication throttle take {@link Counters} (the throttle also the {@link ChangeBus});
 * revocation takes the {@link RevocationStore}; readiness takes the lifecycle.
 */
import type { ChangeBus } from './change-bus.js';
import type { Counters } from './counters.js';
import type { OneTimeIds } from './one-time-ids.js';
import type { RevocationStore } from './revocation-store.js';

/**
 * The lifecycle and readiness of a store.
 *
 * @example
 * ```ts
 * const probe = { component: state.kind, isReady: () => state.isReachable() };
 * ```
 */
export interface StoreLifecycle {
  /** `memory`, `redis`, …: shown in readiness answers and logs. */
  readonly kind: string;
  /**
   * Whether the backend answers right now and the revocations are in sync (always true in process).
   * Synchronous and cheap, kept current in the background: what `GET /ready` reports.
   */
  isReachable(): boolean;
  /** Stops background work and closes connections; nothing of the store keeps the process alive after. */
  close(): Promise<void>;
}

/**
 * A store: its lifecycle plus the four parts. `MemoryState` (the default) keeps everything in this
 * process; `@gatehouse/redis` shares it on Redis. A third party may implement any part alone and mix
 * parts of different stores with {@link composeState}; the conformance suite
 * (`@gatehouse/core/state/conformance`) is the definition of correct for each part.
 *
 * @example
 * ```ts
 * const gate = createGatehouse({ state: createRedisState({ url: process.env.GATEHOUSE_REDIS_URL! }) });
 * ```
 */
export interface SharedState extends StoreLifecycle {
  readonly oneTimeIds: OneTimeIds;
  readonly counters: Counters;
  readonly revocations: RevocationStore;
  readonly bus: ChangeBus;
}

/** What {@link composeState} takes: the four parts, the stores they come from, and a name. */
export interface ComposedStateOptions {
  /** Shown in readiness answers (default: the stores' kinds joined with `+`). */
  readonly kind?: string;
  readonly oneTimeIds: OneTimeIds;
  readonly counters: Counters;
  readonly revocations: RevocationStore;
  readonly bus: ChangeBus;
  /** Every store the parts come from: ready when all are, closed together. */
  readonly stores: readonly StoreLifecycle[];
}

/**
 * One state from parts of several stores (Redis counters with a database revocation store, say): ready
 * when every store is reachable, closed together. Users still pass one `state`.
 *
 * @example
 * ```ts
 * const redis = createRedisState({ url });
 * const db = createDatabaseRevocations(pool); // a third-party store
 * const state = composeState({
 *   oneTimeIds: redis.oneTimeIds,
 *   counters: redis.counters,
 *   bus: redis.bus,
 *   revocations: db.revocations,
 *   stores: [redis, db],
 * });
 * createGatehouse({ state });
 * ```
 */
export function composeState(options: ComposedStateOptions): SharedState {
  const stores = [...new Set(options.stores)];
  if (stores.length === 0) throw new TypeError('"stores" must name at least one store');
  return {
    kind: options.kind ?? [...new Set(stores.map((s) => s.kind))].join('+'),
    isReachable: () => stores.every((s) => s.isReachable()),
    close: async () => {
      await Promise.all(stores.map((s) => s.close()));
    },
    oneTimeIds: options.oneTimeIds,
    counters: options.counters,
    revocations: options.revocations,
    bus: options.bus,
  };
}
