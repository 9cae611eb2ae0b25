/** `redis-cli`, for what the launchers ask of a running server (cluster and Sentinel state). */
import { execFile } from 'node:child_process';
import { findRedisServer, hasRedis } from './redis-server.js';

/**
 * Whether the Redis Cluster and Sentinel launchers can run here: `redis-server` and `redis-cli` (the
 * sentinels run as `redis-server --sentinel` when `redis-sentinel` is not installed).
 *
 * @example
 * ```ts
 * describe.skipIf(!hasRedisTopologies)('on a Redis Cluster', () => {});
 * ```
 */
export const hasRedisTopologies = hasRedis && findRedisServer('redis-cli') !== undefined;

/**
 * Runs `redis-cli -h host -p port <args>` and resolves with its output (trimmed).
 *
 * @example
 * ```ts
 * const info = await redisCli(7000, ['CLUSTER', 'INFO']);
 * ```
 */
export function redisCli(port: number, args: readonly string[], host = '127.0.0.1'): Promise<string> {
  const bin = findRedisServer('redis-cli');
  if (bin === undefined)
    return Promise.reject(new Error('redis-cli is not installed (apt-get install redis-tools)'));
  return new Promise((resolve, reject) => {
    execFile(bin, ['-h', host, '-p', String(port), ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      // redis-cli exits 0 on an error reply: its first word says it.
      const out = stdout.trim();
      if (err || /^(ERR|WRONGPASS|NOPERM|NOAUTH|WRONGTYPE)\b/.test(out)) {
        reject(new Error(`redis-cli ${args[0]}: ${stderr || out || err?.message}`));
      } else resolve(out);
    });
  });
}

/** Polls until `predicate` holds, or throws `what` after `timeoutMs`. */
export async function until(
  what: string,
  predicate: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await predicate()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
