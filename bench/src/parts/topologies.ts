/**
 * Redis topologies (issue 23): revocation propagation and rate-limit overshoot on one server, on a
 * 3-primary + 3-replica cluster, and across a failover of the primary that holds the revocations (a
 * graceful `CLUSTER FAILOVER`, then that primary killed and revived). The cluster is @gatehouse/testkit's.
 */
import type { RedisCluster } from '@gatehouse/testkit';
import { measureOvershoot, type OvershootResult } from './overshoot.js';
import { measurePropagation, type PropagationResult } from './propagation.js';

/** The slot of the revocations (packages/redis/src/keys.ts, default prefix). */
const REV_KEY = 'gatehouse:{rev}:all';

export interface TopologyRow<T> {
  readonly topology: string;
  readonly result: T;
}

export interface TopologyResults {
  readonly propagation: readonly TopologyRow<PropagationResult>[];
  readonly overshoot: readonly TopologyRow<OvershootResult>[];
}

/** Measures both on `singleUrl` and on `cluster`, failing the cluster over twice for each. */
export async function measureTopologies(
  singleUrl: string,
  cluster: RedisCluster,
  counts: { readonly revocations: number; readonly trials: number },
  log: (line: string) => void,
): Promise<TopologyResults> {
  const failovers: [string, (() => Promise<unknown>) | undefined][] = [
    ['a 3+3 cluster', undefined],
    ['cluster, CLUSTER FAILOVER of that primary', () => cluster.failoverOf(REV_KEY)],
    // Until the dead node is back as a replica: before that, the shard has none to confirm a revocation.
    [
      'cluster, that primary killed (until revived as a replica)',
      async () => cluster.revive(await cluster.killPrimaryOf(REV_KEY)),
    ],
  ];
  const propagation: TopologyRow<PropagationResult>[] = [];
  const overshoot: TopologyRow<OvershootResult>[] = [];
  const show = (what: string, p: PropagationResult) =>
    log(
      `  ${what}: revoke p50 ${p.revoke.p50Ms.toFixed(2)} ms, p99 ${p.revoke.p99Ms.toFixed(2)} ms, max ${p.revoke.maxMs.toFixed(2)} ms; ${p.refused} refused`,
    );
  propagation.push({
    topology: 'one server',
    result: await measurePropagation(singleUrl, counts.revocations),
  });
  show('one server', propagation[0]!.result);
  for (const [topology, failover] of failovers) {
    const result = await measurePropagation(cluster.url, counts.revocations, failover);
    propagation.push({ topology, result });
    show(topology, result);
  }
  const showOver = (what: string, o: OvershootResult) =>
    log(`  ${what}: overshoot mean ${o.meanOver.toFixed(1)}, max ${o.maxOver} (${o.trials} trials)`);
  overshoot.push({ topology: 'one server', result: await measureOvershoot(singleUrl, counts.trials) });
  showOver('one server', overshoot[0]!.result);
  for (const [topology, failover] of failovers) {
    const result = await measureOvershoot(cluster.url, counts.trials, failover);
    overshoot.push({ topology, result });
    showOver(topology, result);
  }
  return { propagation, overshoot };
}
