/**
 * The shared state a gate runs on: the one given in code, else the Redis state that `redisUrl` /
 * `GATEHOUSE_REDIS_URL` names, with the settings of `redis` / `GATEHOUSE_REDIS_CONFIG` (created with
 * `@gatehouse/redis`, an optional peer dependency), else this process's memory. Never memory when Redis
 * was configured: a missing package stops start-up.
 */
import type { AuditLogger } from '../audit.js';
import type { ResolvedConfig } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { MemoryState } from '../state/memory-state.js';
import type { SharedState } from '../state/shared-state.js';
import { loadOptionalPackage } from './optional-package.js';

/** The package that shares state on Redis, and how to install it. */
export const REDIS_PACKAGE = '@gatehouse/redis';

/** What core gives `createRedisState`: every setting the environment can carry. */
interface RedisStateOptions {
  readonly url: string;
  readonly logger?: AuditLogger;
  readonly sentinelCredentials?: { readonly username?: string; readonly password?: string };
  readonly keyPrefix?: string;
  readonly replicaAcks?: number;
  readonly replicaWaitMs?: number;
}

interface RedisPackage {
  createRedisState(options: RedisStateOptions): SharedState;
}

/** The state of a gate, and whether it was created here (then the gate closes it). @internal */
export function stateFor(
  config: ResolvedConfig,
  given: SharedState | undefined,
  logger: AuditLogger | undefined,
): { readonly state: SharedState; readonly owned: boolean } {
  if (given !== undefined) return { state: given, owned: false };
  if (config.redisUrl === undefined) return { state: new MemoryState(), owned: true };
  const source = config.sources.redisUrl;
  const where = source === 'options' ? { field: 'redisUrl' } : { variable: source };
  const redis = loadOptionalPackage(REDIS_PACKAGE) as Partial<RedisPackage> | undefined;
  if (typeof redis?.createRedisState !== 'function') {
    throw new ConfigError(
      'missing_config',
      `needs the package ${REDIS_PACKAGE} to share state on Redis: npm install ${REDIS_PACKAGE}`,
      where,
    );
  }
  const { sentinelUsername, sentinelPassword, ...rest } = config.redis ?? {};
  const options: RedisStateOptions = {
    url: config.redisUrl,
    logger,
    ...rest,
    ...((sentinelUsername ?? sentinelPassword)
      ? { sentinelCredentials: { username: sentinelUsername, password: sentinelPassword } }
      : {}),
  };
  return { state: redis.createRedisState(options), owned: true };
}
