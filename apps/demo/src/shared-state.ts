/**
 * The demo's "many instances, one truth" part: with redis-server installed, one on a free loopback port
 * (nothing saved) for every app, and the lines that show a revocation made on one ingestion instance
 * refused by the other; without it, the plain statement that revocations and limits run in each process.
 */
import { findRedisServer, hasRedisTopologies, RedisCluster, RedisServer } from '@gatehouse/testkit';
import { jtiOf } from './credentials.js';
import type { Supervisor } from './processes.js';
import { HOST, setting } from './settings.js';

/** What the demo says when there is no redis-server. */
export const IN_PROCESS_NOTICE = [
  '  redis-server is not installed: revocations and limits run in-process (each app keeps its own and',
  '  only one ingestion instance runs). Install it (apt-get install redis-server) and run the demo again',
  '  to see two ingestion instances share revocations through Redis.',
];

/** `DEMO_REDIS`: `server` (the default: one redis-server) or `cluster` (3 primaries + 3 replicas). */
export function redisMode(): 'server' | 'cluster' {
  const mode = setting('DEMO_REDIS') ?? 'server';
  if (mode !== 'server' && mode !== 'cluster') throw new Error('DEMO_REDIS must be "server" or "cluster"');
  return mode;
}

/**
 * The shared state of every app: with `DEMO_REDIS=cluster` a Redis Cluster (3 primaries + 3 replicas on
 * free loopback ports, redis-server and redis-cli required), else a redis-server on a free loopback port
 * when one is installed (either stopped with everything else; a node's end stops the demo), else
 * undefined after printing {@link IN_PROCESS_NOTICE}.
 */
export async function startSharedState(
  supervisor: Supervisor,
): Promise<{ readonly url: string } | undefined> {
  const mode = redisMode();
  const bin = findRedisServer();
  if (mode === 'cluster') {
    if (!hasRedisTopologies) {
      throw new Error(
        'DEMO_REDIS=cluster needs redis-server and redis-cli (apt-get install redis-server redis-tools)',
      );
    }
    const cluster = await RedisCluster.start();
    supervisor.onStop(() => cluster.stop());
    for (const server of cluster.servers) {
      server.onUnexpectedExit((reason) => {
        if (!supervisor.stopping)
          supervisor.fail(`a Redis Cluster node stopped unexpectedly (${reason}); stopping the demo`);
      });
    }
    console.log(
      `demo: a Redis Cluster (3 primaries + 3 replicas) on ${cluster.url} (shared state of every app)`,
    );
    return cluster;
  }
  if (bin === undefined) {
    console.log(IN_PROCESS_NOTICE.join('\n'));
    return undefined;
  }
  const redis = await RedisServer.start({ bin, host: HOST });
  supervisor.onStop(() => redis.stop());
  redis.onUnexpectedExit((reason) => {
    if (!supervisor.stopping)
      supervisor.fail(`redis-server stopped unexpectedly (${reason}); stopping the demo`);
  });
  console.log(`demo: redis-server on ${redis.url} (shared state of every app)`);
  return redis;
}

/** What {@link sharedStateLines} prints about. */
export interface SharedStateView {
  /** The Redis URL, or undefined without Redis. */
  readonly redisUrl: string | undefined;
  /** The ingestion instances: two with Redis. */
  readonly ingestionUrls: readonly string[];
  readonly issuer: string;
  /** The printed service token (revoked by its `jti`). */
  readonly token: string;
}

/**
 * The printed lines: with Redis, a curl line that revokes TOKEN (by its jti) on the first ingestion
 * instance and asks both who it is (→ 201, then 401 from each); without, the in-process notice.
 */
export function sharedStateLines({ redisUrl, ingestionUrls, issuer, token }: SharedStateView): string[] {
  if (redisUrl === undefined) return ['', ...IN_PROCESS_NOTICE];
  const [first, second] = ingestionUrls;
  const curl = "curl -s -w ' → %{http_code}\\n'";
  const body = JSON.stringify({ jti: jtiOf(token), issuer });
  const whoami = (url: string | undefined) => `${curl} ${url}/v1/whoami -H "Authorization: Bearer $TOKEN"`;
  return [
    '',
    `  Many instances, one truth: every app shares revocations and limits on ${redisUrl}`,
    `  (${redisUrl.startsWith('redis+cluster://') ? 'a Redis Cluster of 3 primaries + 3 replicas' : 'a redis-server'} the demo started; Ctrl-C stops it). Two ingestion instances run on it:`,
    `  ${first} and ${second}.`,
    '',
    '  # the revocations in force, from the second ingestion instance (none yet) → 200',
    `  curl -s -w '\\n' ${second}/v1/admin/revocations -H "Authorization: Bearer $OPERATOR_KEY"`,
    '  # revoke TOKEN (by its jti) on the first instance, then ask both who it is → 201, then 401 from each',
    `  ${curl} -X POST ${first}/v1/admin/revocations -H "Authorization: Bearer $OPERATOR_KEY" -H 'content-type: application/json' -d '${body}' && sleep 1 && ${whoami(first)} && ${whoami(second)}`,
    '  TOKEN then stays refused everywhere until the revocation is lifted (DELETE /v1/admin/revocations/<id>',
    '  on any instance) or the token expires.',
  ];
}
