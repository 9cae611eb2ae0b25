import type { Counters, LeaseRequest, LeaseResult } from '@gatehouse/core/state';
import type { Commands } from './commands.js';
import type { KeyLayout } from './keys.js';
import { INCREMENT, LEASE } from './scripts.js';

/**
 * Rate-limit leases and failure counts on Redis, each one script on one key (its owner's slot). Throws
 * `StateUnavailableError` at once while Redis is unreachable: the caller counts alone.
 *
 * @example
 * ```ts
 * await state.counters.lease({ key: 'rl:Zm9v:29', limit: 100, want: 10, debt: 0, ttlMs: 65_000 });
 * ```
 */
export class RedisCounters implements Counters {
  /** Live instances, from the heartbeat. */
  live = 1;

  constructor(
    private readonly commands: Commands,
    private readonly keys: KeyLayout,
  ) {}

  lease(request: LeaseRequest): Promise<LeaseResult> {
    this.commands.requireReady();
    const args = [request.limit, request.want, request.debt, Math.ceil(request.ttlMs)].map(String);
    return this.commands.script(LEASE, [this.keys.counter(request.key)], args).then((reply) => {
      const [granted, used] = reply as [number, number];
      return { granted: Number(granted), used: Number(used) };
    });
  }

  increment(key: string, by: number, ttlMs: number): Promise<number> {
    this.commands.requireReady();
    const args = [String(by), String(Math.ceil(ttlMs))];
    return this.commands.script(INCREMENT, [this.keys.counter(key)], args).then(Number);
  }

  instances(): number {
    return this.live;
  }

  isReachable(): boolean {
    return this.commands.isReady();
  }
}
