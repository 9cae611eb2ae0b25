/**
 * The part of the gate's options that comes from the shared-state variables (`GATEHOUSE_REDIS_URL`,
 * `GATEHOUSE_RATE_LIMIT`, `GATEHOUSE_FAILED_AUTH_LIMIT`, `GATEHOUSE_TRUST_PROXY`), the same in every app.
 */
import type { GatehouseConfig, GatehouseOptions } from '@gatehouse/core';
import { createRedisState } from '@gatehouse/redis';

/** What an app hands its Gatehouse middleware besides the provider. */
export type SharedGateOptions = Pick<
  GatehouseOptions,
  'state' | 'rateLimit' | 'failedAuthLimit' | 'trustProxy' | 'revocation' | 'backchannelLogout'
>;

/**
 * The gate options of a loaded configuration: a Redis-backed state when `GATEHOUSE_REDIS_URL` is set
 * (it connects in the background; an unreachable Redis does not stop the app), the limits, the proxy
 * rule.
 *
 * @example
 * ```ts
 * const config = loadConfigFromEnv(process.env);
 * const shared = sharedGateOptions(config);
 * const app = createApp({ provider: createAuthProvider(config), store, shared });
 * ```
 */
export function sharedGateOptions(config: GatehouseConfig): SharedGateOptions {
  return {
    state: config.redisUrl === undefined ? undefined : createRedisState({ url: config.redisUrl }),
    rateLimit: config.rateLimit,
    failedAuthLimit: config.failedAuthLimit,
    trustProxy: config.trustProxy,
  };
}
