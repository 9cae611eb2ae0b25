import type { AuditEvent } from '@gatehouse/core';
import { runStateConformance } from '@gatehouse/core/state/conformance';
import { hasRedis, RedisServer, redisCli, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisState, type RedisState } from '../src/index.js';

/**
 * The least privilege Gatehouse needs (packages/redis/README.md): its own keys and channels, and only
 * the commands it sends. Any command missing here fails the conformance suite with NOPERM.
 */
// biome-ignore format: grouped as the README shows it
const GATEHOUSE_ACL = [
  'on', '>gatehouse-secret', 'resetkeys', '~gatehouse:*', 'resetchannels', '&gatehouse:*', '-@all',
  // the connection and what Gatehouse sends
  '+ping', '+hello', '+auth', '+client|setname', '+select', '+info', '+cluster|slots', '+cluster|shards',
  '+evalsha', '+eval', '+set', '+del', '+wait',
  '+publish', '+subscribe', '+unsubscribe', '+spublish', '+ssubscribe', '+sunsubscribe',
  // what the scripts call
  '+get', '+incr', '+incrby', '+pexpire', '+exists', '+hset', '+hsetnx', '+hdel', '+hvals',
  '+zadd', '+zrem', '+zrangebyscore', '+zremrangebyscore', '+zcard',
];

describe.skipIf(!hasRedis)('@gatehouse/redis with the least-privilege ACL', () => {
  let redis: RedisServer;
  const states: RedisState[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    await redisCli(redis.port, ['ACL', 'SETUSER', 'gatehouse', ...GATEHOUSE_ACL]);
    // A user that may do everything Gatehouse needs except run scripts (operators who deny EVAL).
    await redisCli(redis.port, [
      'ACL',
      'SETUSER',
      'noscript',
      ...GATEHOUSE_ACL,
      '-evalsha',
      '-eval',
      '>noscript-secret',
    ]);
  });
  afterAll(async () => {
    await Promise.all(states.map((s) => s.close()));
    await redis?.stop();
  });

  runStateConformance({ describe, it }, 'the conformance suite as user gatehouse', {
    shared: true,
    open: async (namespace) => {
      const state = createRedisState({
        url: `redis://gatehouse:gatehouse-secret@127.0.0.1:${redis.port}`,
        keyPrefix: `gatehouse:${namespace}:`,
      });
      if (!(await state.ready(10_000))) throw new Error('not ready as user gatehouse');
      return state;
    },
  });

  it('says in one clear line that scripts are denied, stays not ready, refuses revocations it cannot store and holds one-time ids in memory', async () => {
    const events: AuditEvent[] = [];
    const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };
    const state = createRedisState({
      url: `redis://noscript:noscript-secret@127.0.0.1:${redis.port}`,
      logger,
    });
    states.push(state);
    await waitFor(() => events.some((e) => e.event === 'gatehouse.state.scripts_denied'), 5000);
    await new Promise((r) => setTimeout(r, 600));
    expect(events.filter((e) => e.event === 'gatehouse.state.scripts_denied')).toHaveLength(1);
    expect(state.isReachable()).toBe(false);
    await expect(
      state.revocations.store({
        id: 'r',
        kind: 'api_key',
        apiKey: 'k',
        createdAt: Date.now(),
        expiresAt: null,
      }),
    ).rejects.toMatchObject({ code: 'state_unavailable' });
    expect(await state.oneTimeIds.claim({ scope: 'dpop-jti', id: 'x', ttlSecs: 60 })).toBe('fresh');
    expect(await state.oneTimeIds.claim({ scope: 'dpop-jti', id: 'x', ttlSecs: 60 })).toBe('replayed');
  });
});
