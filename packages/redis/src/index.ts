/**
 * @gatehouse/redis: Gatehouse's shared state on Redis. Revocations, rate-limit and failed-authentication
 * counters, DPoP proof ids and logout-token ids are shared by every instance with the same Redis.
 */

export { RedisStateError } from './errors.js';
export type { RedisStateOptions } from './redis-state.js';
export { createRedisState, REDIS_STATE_DEFAULTS, RedisState } from './redis-state.js';
