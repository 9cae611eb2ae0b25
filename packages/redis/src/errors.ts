/**
 * A `@gatehouse/redis` option that cannot work (a malformed URL, say). Thrown by the factory, naming
 * the option, never quoting a password.
 *
 * @example
 * ```ts
 * try {
 *   createRedisState({ url: 'http://cache:6379' });
 * } catch (err) {
 *   if (err instanceof RedisStateError) console.error(err.message); // "url" must start with redis://…
 * }
 * ```
 */
export class RedisStateError extends Error {
  readonly code = 'invalid_redis_options';
  constructor(message: string) {
    super(message);
    this.name = 'RedisStateError';
  }
}
