/** The Markdown tables of the Redis-topology part (issue 23). */
import { fmt } from './stats.js';
import type { TopologyResults } from './topologies.js';

/** Propagation and overshoot by topology, failovers included. */
export function topologyTables(t: TopologyResults): string {
  const propagation = [
    'Three instances (processes); one change at a time, made on the first, timed until both others have it in memory. Across a failover: forced a third of the way through, changes going on until it is over, and a third more.',
    '',
    '| topology | acknowledged | refused (503) | revoke p50 ms | p99 ms | max ms | lift p50 ms | p99 ms | failover took |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...t.propagation
      .map(({ topology, result: p }) =>
        [
          topology,
          p.revoke.count,
          p.refused,
          fmt(p.revoke.p50Ms, 2),
          fmt(p.revoke.p99Ms, 2),
          fmt(p.revoke.maxMs, 2),
          fmt(p.lift.p50Ms, 2),
          fmt(p.lift.p99Ms, 2),
          p.failoverMs === undefined ? '' : `${fmt(p.failoverMs / 1000, 1)} s`,
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
  ];
  const first = t.overshoot[0]?.result;
  const overshoot = [
    `Three instances share one identity's quota of ${first?.quota ?? '?'} per window, ${2 * (first?.quota ?? 0)} requests in turn per trial (a new identity each), 1 ms apart. The contract's bound: 10 % + one per instance (${first ? Math.floor(first.quota * 0.1) + first.instances : '?'}).`,
    '',
    '| topology | trials | overshoot mean | max | trials above the bound | failover took |',
    '|---|---:|---:|---:|---:|---:|',
    ...t.overshoot.map(
      ({ topology, result: o }) =>
        `| ${topology} | ${o.trials} | ${fmt(o.meanOver, 1)} | ${o.maxOver} | ${o.aboveBound} | ${o.failoverMs === undefined ? '' : `${fmt(o.failoverMs / 1000, 1)} s`} |`,
    ),
  ];
  return [
    '#### Revocation propagation by topology',
    '',
    ...propagation,
    '',
    '#### Rate-limit overshoot by topology',
    '',
    ...overshoot,
  ].join('\n');
}
