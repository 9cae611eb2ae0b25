import { runStateConformance } from '@gatehouse/core/state/conformance';
import { hasRedisTopologies, RedisCluster, RedisSentinels, redisCli, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisState, type RedisState } from '../src/index.js';
import { keyLayout } from '../src/keys.js';
import { revokeThrough } from './helpers/failover.js';

// One topology per describe, started once: the conformance suite, then failovers forced under traffic.
const TOPOLOGIES = [
  {
    name: 'a 3-primary + 3-replica Redis Cluster',
    start: async () => {
      const cluster = await RedisCluster.start();
      return {
        url: cluster.url,
        stop: () => cluster.stop(),
        graceful: (key: string) => cluster.failoverOf(key),
        kill: (key: string) => cluster.killPrimaryOf(key).then((dead) => cluster.revive(dead)),
        // Subscribers of a channel on the primary that owns it now.
        subscribers: async (channel: string) =>
          redisCli((await cluster.primaryOf(channel)).port, ['PUBSUB', 'SHARDNUMSUB', channel]),
      };
    },
  },
  {
    name: 'a primary + replica behind 3 sentinels',
    start: async () => {
      const sentinels = await RedisSentinels.start();
      return {
        url: sentinels.url,
        stop: () => sentinels.stop(),
        graceful: () => sentinels.failover(),
        kill: () => sentinels.killPrimary().then((dead) => sentinels.revive(dead)),
        subscribers: async (channel: string) =>
          redisCli((await sentinels.primary()).port, ['PUBSUB', 'NUMSUB', channel]),
      };
    },
  },
];

describe.skipIf(!hasRedisTopologies).each(TOPOLOGIES)('@gatehouse/redis on $name', ({ start }) => {
  let topo: Awaited<ReturnType<(typeof TOPOLOGIES)[number]['start']>>;
  const opened: RedisState[] = [];
  beforeAll(async () => {
    topo = await start();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await topo?.stop();
  });

  async function open(keyPrefix: string): Promise<RedisState> {
    const state = createRedisState({ url: topo.url, keyPrefix });
    opened.push(state);
    if (!(await state.ready(15_000))) throw new Error('not ready');
    return state;
  }

  runStateConformance({ describe, it }, 'the shared-state conformance suite', {
    shared: true,
    open: (namespace) => open(`${namespace}:`),
  });

  for (const kind of ['graceful', 'kill'] as const) {
    it(`a ${kind === 'kill' ? 'killed primary' : 'forced failover'} under traffic: every acknowledged revocation is in force everywhere after, the rest were 503, nothing goes to a replica`, async () => {
      const prefix = `fo-${kind}:`;
      const [a, b, c] = [await open(prefix), await open(prefix), await open(prefix)];
      const run = await revokeThrough(a, () => topo[kind](keyLayout(prefix).rev));
      await waitFor(() => [a, b, c].every((s) => s.isReachable()), 20_000);
      // Their subscriptions moved to the new primary (else only the periodic check would repair).
      const channel = keyLayout(prefix).channel;
      await waitFor(async () => (await topo.subscribers(channel)).endsWith('\n3'), 3000).catch(() => {});
      expect((await topo.subscribers(channel)).split('\n')[1]).toBe('3');
      const missing = () =>
        [a, b, c].flatMap((s) => run.acknowledged.filter((r) => !s.revocations.inForce.has(r.id)));
      await waitFor(() => missing().length === 0, 3000).catch(() => {});
      expect(missing()).toEqual([]);
      // A fresh instance loads every acknowledged one from the new primary.
      const fresh = await open(prefix);
      await waitFor(() => run.acknowledged.every((r) => fresh.revocations.inForce.has(r.id)), 2000);
      // Writes work on the new primary (a write to a replica would fail with READONLY).
      expect(await b.oneTimeIds.claim({ scope: 'dpop-jti', id: `after-${kind}`, ttlSecs: 60 })).toBe('fresh');
      const stats = [a, b, c].map((s) => s.stats());
      console.log(
        `${kind}: ${run.acknowledged.length} acknowledged, ${run.refused} answered 503,`,
        `unreplicated ${stats.reduce((n, s) => n + s.unreplicated, 0)}, re-asserted ${stats.reduce((n, s) => n + s.reasserted, 0)}`,
      );
      expect(run.acknowledged.length).toBeGreaterThan(0);
    }, 90_000);
  }
});
