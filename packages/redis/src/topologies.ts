/**
 * The three topologies over the one reconnection loop (`connection.ts`): one server, a Redis Cluster
 * and a Sentinel-managed primary. Commands always go to primaries (never replicas), so nothing is
 * written to a replica after a failover. Every client is `unref()`'d and never reconnects by itself:
 * a broken link is replaced whole, from the URL, the seeds or the sentinels.
 */
import { createClient, createCluster } from '@redis/client';
import { destroy, type Link, quit, ReconnectingConnection, type SocketSettings } from './connection.js';
import { primaryFromSentinels, watchSwitches } from './sentinel.js';

type ClientOptions = Parameters<typeof createClient>[0];

/**
 * A command client and a subscriber client to one server, both unref'd and without reconnection of
 * their own. `lost` is called when either breaks.
 */
async function openServer(options: ClientOptions, lost: () => void): Promise<Link> {
  const client = createClient({
    ...options,
    // A command while disconnected fails at once instead of waiting in a queue: the caller falls back.
    disableOfflineQueue: true,
    socket: { ...options?.socket, reconnectStrategy: false },
  } as ClientOptions);
  const subscriber = client.duplicate();
  for (const c of [client, subscriber]) {
    c.on('error', lost);
    c.on('end', lost);
    c.unref();
  }
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
  } catch (err) {
    destroy(client);
    destroy(subscriber);
    throw err;
  }
  return {
    send: (_key, args) => client.sendCommand([...args]),
    subscribe: async (channel, listener) => {
      await subscriber.subscribe(channel, listener);
    },
    isReady: () => client.isReady && subscriber.isReady,
    destroy: () => {
      destroy(client);
      destroy(subscriber);
    },
    close: async () => {
      await Promise.all([quit(client), quit(subscriber)]);
    },
  };
}

function socketOptions(socket: SocketSettings, tls: boolean) {
  return { connectTimeout: socket.connectTimeoutMs, ...(tls ? { tls: true as const } : {}) };
}

/** One Redis server (`redis://`, `rediss://`). */
export class SingleConnection extends ReconnectingConnection {
  readonly topology = 'single';
  readonly publishCommand = 'PUBLISH';
  // One server has no other primary to find: a hung command only marks Redis unreachable.
  protected readonly rebuildOnTimeout = false;

  protected open(lost: () => void): Promise<Link> {
    return openServer({ url: this.topo.url, socket: socketOptions(this.socket, false) }, lost);
  }
}

/**
 * A Redis Cluster from its seed nodes. node-redis follows `MOVED`/`ASK` itself; a node that fails or
 * leaves the slot map, a topology reply or a command that times out replaces the whole cluster client,
 * built from the seeds again: after a failover the new slot map names the new primaries, and the sharded
 * subscriptions are made there.
 */
export class ClusterConnection extends ReconnectingConnection {
  readonly topology = 'cluster';
  readonly publishCommand = 'SPUBLISH';
  protected readonly rebuildOnTimeout = true;

  protected async open(lost: () => void): Promise<Link> {
    const cluster = createCluster({
      rootNodes: this.topo.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
      defaults: {
        username: this.topo.username,
        password: this.topo.password,
        disableOfflineQueue: true,
        socket: { ...socketOptions(this.socket, this.topo.tls), reconnectStrategy: false },
      },
      useReplicas: false,
    });
    // The node clients are made inside the cluster client: unref each as it connects.
    const unrefAll = () => {
      for (const node of cluster.masters) {
        node.client?.unref();
        node.pubSub?.client.unref();
      }
      for (const node of cluster.replicas) node.client?.unref();
      cluster.pubSubNode?.client.unref();
    };
    cluster.on('error', () => {});
    cluster.on('node-connect', unrefAll);
    // A primary's client broke (it never reconnects by itself): look the topology up again. A node that
    // left the slot map (a primary demoted by CLUSTER FAILOVER, found out through MOVED) takes our sharded
    // subscriptions with it, and node-redis does not renew them: subscribe again on a new link.
    cluster.on('node-error', lost);
    cluster.on('node-disconnect', lost);
    try {
      await cluster.connect();
    } catch (err) {
      cluster.destroy();
      throw err;
    }
    unrefAll();
    return {
      send: (key, args) => cluster.sendCommand(key, false, [...args]),
      subscribe: async (channel, listener) => {
        await cluster.sSubscribe(channel, listener);
        unrefAll();
      },
      isReady: () => cluster.isOpen,
      destroy: () => destroy(cluster),
      close: async () => {
        try {
          if (cluster.isOpen) await cluster.close();
        } catch {
          destroy(cluster);
        }
      },
    };
  }
}

/**
 * The primary that sentinels name: asked of the sentinels on every (re)connection, checked with `INFO`
 * (a demoted primary is never written to), and left as soon as a sentinel announces `+switch-master`
 * for it or the connection breaks (sentinels close the clients of a primary they demote).
 */
export class SentinelConnection extends ReconnectingConnection {
  readonly topology = 'sentinel';
  readonly publishCommand = 'PUBLISH';
  protected readonly rebuildOnTimeout = true;

  protected async open(lost: () => void): Promise<Link> {
    const sentinels = {
      nodes: this.topo.nodes,
      masterName: this.topo.masterName!,
      credentials: this.topo.sentinelCredentials,
      socket: socketOptions(this.socket, this.topo.tls),
    };
    const primary = await primaryFromSentinels(sentinels);
    const link = await openServer(
      {
        username: this.topo.username,
        password: this.topo.password,
        database: this.topo.db,
        socket: { ...sentinels.socket, host: primary.host, port: primary.port },
      },
      lost,
    );
    const watch = watchSwitches(sentinels, lost);
    try {
      // INFO, not ROLE: the least-privilege ACL already grants it.
      const info = String(await link.send(undefined, ['INFO', 'replication']));
      if (!/^role:master\s*$/m.test(info))
        throw new Error('the node the sentinels named is not a primary (yet)');
    } catch (err) {
      link.destroy();
      watch.destroy();
      throw err;
    }
    return {
      ...link,
      destroy: () => {
        watch.destroy();
        link.destroy();
      },
      close: async () => {
        watch.destroy();
        await link.close();
      },
    };
  }
}
