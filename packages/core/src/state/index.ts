/**
 * `@gatehouse/core/state`: the shared-state parts, the in-process store, and what a store built
 * elsewhere (`@gatehouse/redis`, a third party's) needs from core. The conformance suite that defines a
 * correct store is on `@gatehouse/core/state/conformance`.
 */

export type { RedisNodeAddress, RedisTopology, RedisUrlParts } from '../config/redis-url.js';
export { parseRedisUrl } from '../config/redis-url.js';
export { StateUnavailableError } from '../errors.js';
export type { ChangeBus } from './change-bus.js';
export { LocalBus } from './change-bus.js';
export type { Counters, LeaseRequest, LeaseResult } from './counters.js';
export { LocalClaims } from './local-claims.js';
export { LocalCounters } from './local-counters.js';
export type { MemoryStateOptions } from './memory-state.js';
export { MemoryState } from './memory-state.js';
export type { ClaimVerdict, OneTimeClaim, OneTimeIds } from './one-time-ids.js';
export type { Revocation, RevocationKind } from './revocation.js';
export { parseRevocation } from './revocation.js';
export { RevocationList } from './revocation-list.js';
export type { RevocationIndex, RevocationStore } from './revocation-store.js';
export type { ComposedStateOptions, SharedState, StoreLifecycle } from './shared-state.js';
export { composeState } from './shared-state.js';
