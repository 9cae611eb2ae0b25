/**
 * @gatehouse/redis: Gatehouse's shared state on Redis (one server, a Redis Cluster or a Sentinel-managed
 * primary; Valkey too). Revocations, rate-limit and failed-authentication counters, DPoP proof ids and
 * logout-token ids are shared by every instance with the same Redis.
 */

export { RedisStateError } from './errors.js';
export type { RedisStateOptions, RedisStateStats } from './redis-state.js';
export { createRedisState, REDIS_STATE_DEFAULTS, RedisState } from './redis-state.js';
export type { SentinelCredentials } from './topology.js';
