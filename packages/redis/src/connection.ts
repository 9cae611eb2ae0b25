/**
 * What the Redis state needs of a connection, whatever the topology: commands routed to the primary
 * that owns a key, subscriptions, and whether it is ready. One server here; a cluster and Sentinel
 * in `topologies.ts`.
 */
import { createClient } from '@redis/client';

/** Connection events the state reacts to. */
export interface ConnectionEvents {
  /** A (re)connection is ready: messages may have been missed, resync. */
  ready(): void;
  /** The connection failed or closed: count as unreachable until `ready`. */
  down(): void;
}

/** A connection to one server, a cluster or a Sentinel-managed primary. */
export interface Connection {
  /** `single`, `cluster` or `sentinel`. */
  readonly topology: 'single' | 'cluster' | 'sentinel';
  /** Whether commands can be sent now. */
  isReady(): boolean;
  /** Sends a command to the primary owning `key` (any primary when undefined). */
  send(key: string | undefined, args: readonly string[]): Promise<unknown>;
  /**
   * Subscribes to a channel (sharded on a cluster: `SSUBSCRIBE`); kept across reconnections. Resolves
   * once subscribed.
   */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  /** The publish command that reaches every subscriber: `PUBLISH`, or `SPUBLISH` on a cluster. */
  readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** A command failed or hung: look the topology up again (cluster). */
  suspect?(): void;
  /** Starts connecting (in the background: never rejects). */
  connect(events: ConnectionEvents): void;
  close(): Promise<void>;
}

/** Socket settings every topology shares. */
export interface SocketSettings {
  readonly connectTimeoutMs: number;
  readonly maxReconnectDelayMs: number;
}

/** The reconnection schedule: 25 ms doubling up to the maximum. */
export function reconnectStrategy(maxDelayMs: number): (retries: number) => number {
  return (retries) => Math.min(25 * 2 ** retries, maxDelayMs);
}

type Client = ReturnType<typeof createClient>;

/** One Redis server (`redis://`, `rediss://`): a command connection and a subscriber connection. */
export class SingleConnection implements Connection {
  readonly topology = 'single';
  readonly publishCommand = 'PUBLISH';
  private readonly client: Client;
  private readonly subscriber: Client;

  constructor(url: string, socket: SocketSettings) {
    this.client = createClient({
      url,
      // A command while disconnected fails at once instead of waiting in a queue: the caller falls back.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: socket.connectTimeoutMs,
        reconnectStrategy: reconnectStrategy(socket.maxReconnectDelayMs),
      },
    });
    // Subscriptions may be asked for before the connection is up: queued, sent once it is, and renewed
    // by the client after every reconnection.
    this.subscriber = this.client.duplicate({ disableOfflineQueue: false });
  }

  isReady(): boolean {
    return this.client.isReady;
  }

  send(_key: string | undefined, args: readonly string[]): Promise<unknown> {
    return this.client.sendCommand([...args]);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    await this.subscriber.subscribe(channel, listener);
  }

  connect(events: ConnectionEvents): void {
    wire(this.client, events, events.ready);
    // The subscriber's reconnection is a moment messages were missed: resync too.
    wire(this.subscriber, events, events.ready);
    // The connections never keep the process alive by themselves: a service that closed its server ends.
    this.client.unref();
    this.subscriber.unref();
    this.client.connect().catch(() => {});
    this.subscriber.connect().catch(() => {});
  }

  async close(): Promise<void> {
    await Promise.all([quit(this.client), quit(this.subscriber)]);
  }
}

/** Every failure is also a reconnection, reported as `down`; `ready` after each (re)connection. */
export function wire(
  emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown },
  events: ConnectionEvents,
  onReady: () => void,
): void {
  emitter.on('error', () => events.down());
  emitter.on('reconnecting', () => events.down());
  emitter.on('end', () => events.down());
  emitter.on('ready', () => onReady());
}

/** Closes a client: goodbye when connected, destroyed otherwise (queued commands would never end). */
export async function quit(client: {
  isOpen: boolean;
  isReady: boolean;
  close(): Promise<unknown>;
  destroy(): unknown;
}) {
  try {
    if (client.isReady) await client.close();
    else if (client.isOpen) client.destroy();
  } catch {
    client.destroy();
  }
}
