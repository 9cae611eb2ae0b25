/**
 * A real Redis Cluster on loopback: `redis-server --cluster-enabled yes` × (primaries × (1 + replicas)),
 * joined by `redis-cli --cluster create`. For tests, the bench and the demo (no test runner imported:
 * a plain Node script can start one). Failovers are real: a primary killed or put to sleep, or
 * `CLUSTER FAILOVER` on its replica.
 */
import { redisCli, until } from './redis-cli.js';
import { RedisServer } from './redis-server.js';

/** Options of {@link RedisCluster.start}. */
export interface RedisClusterOptions {
  /** Primaries. Default 3. */
  readonly primaries?: number;
  /** Replicas per primary. Default 1. */
  readonly replicas?: number;
  /** `cluster-node-timeout`: how soon a silent primary is failed over. Default 1000 ms. */
  readonly nodeTimeoutMs?: number;
  /** More `redis-server` arguments for every node (ACL settings, say). */
  readonly args?: readonly string[];
}

/** One node as `CLUSTER NODES` shows it. */
export interface ClusterNode {
  readonly port: number;
  readonly role: 'primary' | 'replica';
  /** The primary's node id, for a replica. */
  readonly primaryId?: string;
  readonly id: string;
  readonly slots: readonly [number, number][];
}

/**
 * A running Redis Cluster.
 *
 * @example
 * ```ts
 * const cluster = await RedisCluster.start();
 * process.env.GATEHOUSE_REDIS_URL = cluster.url; // redis+cluster://127.0.0.1:p1,…
 * await cluster.killPrimaryOf('gatehouse:{rev}:all'); // its replica takes over
 * await cluster.stop();
 * ```
 */
export class RedisCluster {
  private constructor(
    /** Every node, primaries first as created. */
    readonly servers: readonly RedisServer[],
    private readonly nodeTimeoutMs: number,
  ) {}

  /** `redis+cluster://` with every node as a seed. */
  get url(): string {
    return `redis+cluster://${this.servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`;
  }

  /** Starts the nodes, creates the cluster, and resolves once every node says `cluster_state:ok`. */
  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const primaries = options.primaries ?? 3;
    const replicas = options.replicas ?? 1;
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
    const args = [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(nodeTimeoutMs),
      // A replica whose link to its primary broke stays eligible: killed primaries are failed over.
      '--cluster-replica-validity-factor',
      '0',
      ...(options.args ?? []),
    ];
    const servers = await Promise.all(
      Array.from({ length: primaries * (1 + replicas) }, () => RedisServer.start({ args })),
    );
    const cluster = new RedisCluster(servers, nodeTimeoutMs);
    try {
      await redisCli(servers[0]!.port, [
        '--cluster',
        'create',
        ...servers.map((s) => `127.0.0.1:${s.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
      await cluster.healthy(20_000);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The nodes as a live node sees them. */
  async nodes(): Promise<ClusterNode[]> {
    for (const server of this.servers) {
      if (server.pid === undefined) continue;
      try {
        return parseNodes(await redisCli(server.port, ['CLUSTER', 'NODES']));
      } catch {
        // try the next node
      }
    }
    throw new Error('no cluster node answers');
  }

  /** The primary that owns `key`'s slot. */
  async primaryOf(key: string): Promise<RedisServer> {
    const live = this.servers.find((s) => s.pid !== undefined)!;
    const slot = Number(await redisCli(live.port, ['CLUSTER', 'KEYSLOT', key]));
    const nodes = await this.nodes();
    const owner = nodes.find((n) => n.role === 'primary' && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (owner === undefined) throw new Error(`no primary owns slot ${slot}`);
    return this.server(owner.port);
  }

  /** Kills the primary of `key` (SIGKILL) and resolves once its replica has taken over. */
  async killPrimaryOf(key: string): Promise<RedisServer> {
    const primary = await this.primaryOf(key);
    await primary.kill();
    await until(
      'a replica took over',
      async () => (await this.primaryOf(key)).port !== primary.port,
      10 * this.nodeTimeoutMs + 10_000,
    );
    return primary;
  }

  /** `CLUSTER FAILOVER` on a replica of `key`'s primary (graceful, no data lost); resolves once done. */
  async failoverOf(key: string): Promise<void> {
    const primary = await this.primaryOf(key);
    const nodes = await this.nodes();
    const id = nodes.find((n) => n.port === primary.port)!.id;
    const replica = nodes.find((n) => n.role === 'replica' && n.primaryId === id);
    if (replica === undefined) throw new Error('the primary has no replica');
    await redisCli(replica.port, ['CLUSTER', 'FAILOVER']);
    await until(
      'the replica took over',
      async () => (await this.primaryOf(key)).port === replica.port,
      15_000,
    );
  }

  /** Brings a killed node back (it rejoins as a replica), and waits for a healthy cluster. */
  async revive(server: RedisServer): Promise<void> {
    await server.launch();
    await this.healthy(20_000);
  }

  /**
   * Resolves once every running node says `cluster_state:ok` and every running replica is in sync with
   * its primary (until then `WAIT 1` answers 0 and acknowledged writes are refused).
   */
  async healthy(timeoutMs = 20_000): Promise<void> {
    await until(
      'cluster_state:ok on every node, every replica in sync',
      async () => {
        for (const server of this.servers) {
          if (server.pid === undefined) continue;
          if (!(await redisCli(server.port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok')) return false;
          const replication = await redisCli(server.port, ['INFO', 'replication']);
          if (replication.includes('role:slave') && !replication.includes('master_link_status:up'))
            return false;
        }
        return true;
      },
      timeoutMs,
    );
  }

  /** Stops every node and removes their folders. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  private server(port: number): RedisServer {
    const server = this.servers.find((s) => s.port === port);
    if (server === undefined) throw new Error(`no node on port ${port}`);
    return server;
  }
}

function parseNodes(text: string): ClusterNode[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, address, flags, primaryId, , , , , ...slots] = line.trim().split(' ');
      const port = Number(address!.split('@')[0]!.split(':').pop());
      const ranges = slots
        .filter((s) => !s.startsWith('['))
        .map((s) => {
          const [a, b] = s.split('-').map(Number);
          return [a!, b ?? a!] as [number, number];
        });
      const isPrimary = flags!.includes('master') && !flags!.includes('fail');
      return {
        id: id!,
        port,
        role: isPrimary ? 'primary' : 'replica',
        primaryId: primaryId === '-' ? undefined : primaryId,
        slots: isPrimary ? ranges : [],
      };
    });
}
