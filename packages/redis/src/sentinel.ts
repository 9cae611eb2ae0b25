/**
 * Asking sentinels where the primary is, and hearing when they switch it. Short-lived, unref'd clients
 * with no reconnection of their own (the connection's loop asks again).
 */
import type { RedisNodeAddress } from '@gatehouse/core/state';
import { createClient } from '@redis/client';
import { destroy } from './connection.js';
import type { SentinelCredentials } from './topology.js';

/** The sentinels of one primary, and how to reach them. */
export interface Sentinels {
  readonly nodes: readonly RedisNodeAddress[];
  readonly masterName: string;
  readonly credentials: SentinelCredentials | undefined;
  readonly socket: { readonly connectTimeout: number; readonly tls?: true };
}

function sentinelClient(sentinels: Sentinels, node: RedisNodeAddress) {
  const client = createClient({
    username: sentinels.credentials?.username,
    password: sentinels.credentials?.password,
    disableOfflineQueue: true,
    socket: { ...sentinels.socket, host: node.host, port: node.port, reconnectStrategy: false },
  });
  client.on('error', () => {});
  client.unref();
  return client;
}

/**
 * The primary's address, from the first sentinel that names it (`SENTINEL GET-MASTER-ADDR-BY-NAME`).
 * Rejects when no sentinel answers or none knows `masterName`.
 */
export async function primaryFromSentinels(sentinels: Sentinels): Promise<RedisNodeAddress> {
  let problem = 'no sentinel answered';
  for (const node of sentinels.nodes) {
    const client = sentinelClient(sentinels, node);
    try {
      await client.connect();
      const reply = (await client.sendCommand([
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        sentinels.masterName,
      ])) as [string, string] | null;
      if (Array.isArray(reply) && reply.length === 2) return { host: reply[0], port: Number(reply[1]) };
      problem = `the sentinels do not know a primary named "${sentinels.masterName}"`;
    } catch {
      // ask the next sentinel
    } finally {
      destroy(client);
    }
  }
  throw new Error(problem);
}

/**
 * Subscribes to `+switch-master` on the first sentinel that answers and calls `switched` when it names
 * `masterName`. Best effort, a shortcut: a demoted primary also closes its clients, and a write to it
 * would be refused (`READONLY`).
 */
export function watchSwitches(sentinels: Sentinels, switched: () => void): { destroy(): void } {
  let current: ReturnType<typeof sentinelClient> | undefined;
  let stopped = false;
  void (async () => {
    for (const node of sentinels.nodes) {
      if (stopped) return;
      const client = sentinelClient(sentinels, node);
      try {
        await client.connect();
        if (stopped) return destroy(client);
        current = client;
        await client.subscribe('+switch-master', (message) => {
          if (message.split(' ')[0] === sentinels.masterName) switched();
        });
        return;
      } catch {
        destroy(client);
        current = undefined;
      }
    }
  })();
  return {
    destroy() {
      stopped = true;
      if (current !== undefined) destroy(current);
    },
  };
}
