/**
 * Connections to a Redis Cluster and to a Sentinel-managed primary (one server: `connection.ts`).
 * Commands always go to primaries (never `useReplicas`), so nothing is written to a replica after a
 * failover.
 */
import { createCluster, createSentinel, ErrorReply } from '@redis/client';
import {
  type Connection,
  type ConnectionEvents,
  reconnectStrategy,
  type SocketSettings,
  wire,
} from './connection.js';
import type { ResolvedTopology } from './topology.js';

type Cluster = ReturnType<typeof newCluster>;
type Sentinel = ReturnType<typeof createSentinel>;

// Replies that mean "the topology is changing": the slot map or the primary must be looked up again.
const TOPOLOGY_REPLIES = /^(CLUSTERDOWN|READONLY|MASTERDOWN|LOADING|TRYAGAIN|NOAUTH)/;

/** Whether an error says the connection or the topology is wrong (rather than the command). */
export function isTopologyError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof ErrorReply) return TOPOLOGY_REPLIES.test(err.message);
  return true;
}

/**
 * A Redis Cluster from its seed nodes. node-redis follows `MOVED`/`ASK` itself; after a failover it
 * keeps a dead primary in its slot map until told, so a connection error, a topology reply or a
 * command that times out rebuilds the client from the seeds (at most once a second), re-subscribes,
 * and reports `ready` (the state then resyncs and puts back what it knows).
 */
export class ClusterConnection implements Connection {
  readonly topology = 'cluster';
  readonly publishCommand = 'SPUBLISH';
  private cluster: Cluster;
  private ready = false;
  private events: ConnectionEvents | undefined;
  private readonly channels = new Map<string, (message: string) => void>();
  private rebuilding = false;
  private lastRebuild = 0;
  private closed = false;

  constructor(
    private readonly topo: ResolvedTopology,
    private readonly socket: SocketSettings,
  ) {
    this.cluster = this.create();
  }

  isReady(): boolean {
    return this.ready && this.cluster.isOpen;
  }

  async send(key: string | undefined, args: readonly string[]): Promise<unknown> {
    try {
      return await this.cluster.sendCommand(key, false, [...args]);
    } catch (err) {
      if (isTopologyError(err)) this.suspect();
      throw err;
    }
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    this.channels.set(channel, listener);
    if (this.ready) await this.cluster.sSubscribe(channel, listener);
  }

  connect(events: ConnectionEvents): void {
    this.events = events;
    void this.start(this.cluster);
  }

  /** Something failed: look the topology up again, from the seeds. */
  suspect(): void {
    if (this.closed || this.rebuilding || Date.now() - this.lastRebuild < 1000) return;
    this.rebuilding = true;
    this.lastRebuild = Date.now();
    this.ready = false;
    this.events?.down();
    const old = this.cluster;
    this.cluster = this.create();
    old.destroy();
    void this.start(this.cluster).finally(() => {
      this.rebuilding = false;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    try {
      if (this.cluster.isOpen) await this.cluster.close();
    } catch {
      this.cluster.destroy();
    }
  }

  private create(): Cluster {
    return newCluster(this.topo, this.socket);
  }

  private async start(cluster: Cluster): Promise<void> {
    for (let attempt = 0; !this.closed && cluster === this.cluster; attempt++) {
      try {
        await cluster.connect();
        for (const [channel, listener] of this.channels) await cluster.sSubscribe(channel, listener);
        if (cluster !== this.cluster) return;
        this.ready = true;
        this.events?.ready();
        return;
      } catch {
        cluster.destroy();
        if (cluster !== this.cluster || this.closed) return;
        await new Promise((r) =>
          setTimeout(r, Math.min(100 * 2 ** attempt, this.socket.maxReconnectDelayMs)),
        );
        this.cluster = this.create();
        cluster = this.cluster;
      }
    }
  }
}

function newCluster(topo: ResolvedTopology, socket: SocketSettings) {
  const cluster = createCluster({
    rootNodes: topo.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
    defaults: {
      username: topo.username,
      password: topo.password,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: socket.connectTimeoutMs,
        reconnectStrategy: reconnectStrategy(socket.maxReconnectDelayMs),
        ...(topo.tls ? { tls: true as const } : {}),
      },
    },
    useReplicas: false,
  });
  cluster.on('error', () => {});
  cluster.on('node-error', () => {});
  return cluster;
}

/**
 * The primary that sentinels name. node-redis asks the sentinels, follows `+switch-master` and moves
 * the connection to the new primary itself; subscriptions move with it.
 */
export class SentinelConnection implements Connection {
  readonly topology = 'sentinel';
  readonly publishCommand = 'PUBLISH';
  private readonly sentinel: Sentinel;

  constructor(topo: ResolvedTopology, socket: SocketSettings) {
    const tls = topo.tls ? { tls: true as const } : {};
    this.sentinel = createSentinel({
      name: topo.masterName!,
      sentinelRootNodes: topo.nodes.map((n) => ({ host: n.host, port: n.port })),
      nodeClientOptions: {
        username: topo.username,
        password: topo.password,
        database: topo.db,
        disableOfflineQueue: true,
        socket: {
          connectTimeout: socket.connectTimeoutMs,
          reconnectStrategy: reconnectStrategy(socket.maxReconnectDelayMs),
          ...tls,
        },
      },
      sentinelClientOptions: {
        username: topo.sentinelCredentials?.username,
        password: topo.sentinelCredentials?.password,
        socket: { connectTimeout: socket.connectTimeoutMs, ...tls },
      },
      masterPoolSize: 1,
      replicaPoolSize: 0,
      scanInterval: 1000,
    });
  }

  isReady(): boolean {
    return this.sentinel.isReady;
  }

  send(_key: string | undefined, args: readonly string[]): Promise<unknown> {
    return this.sentinel.sendCommand(false, [...args]);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    await this.sentinel.subscribe(channel, listener);
  }

  connect(events: ConnectionEvents): void {
    wire(this.sentinel, events, events.ready);
    this.sentinel.on('topology-change', (event: { type?: string }) => {
      if (event.type === 'MASTER_CHANGE') events.ready();
    });
    this.sentinel.connect().catch(() => {});
  }

  async close(): Promise<void> {
    try {
      if (this.sentinel.isOpen) await this.sentinel.close();
    } catch {
      this.sentinel.destroy();
    }
  }
}
