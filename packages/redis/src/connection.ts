/**
 * What the Redis state needs of a connection, whatever the topology: commands routed to the primary
 * that owns a key, subscriptions, and whether it is ready; and the one reconnection loop every topology
 * shares. The topologies themselves are in `topologies.ts`.
 *
 * node-redis's own reconnection waits on timers that keep the process alive, so every client here is
 * created with `reconnectStrategy: false` and `unref()`'d: when a link breaks, this loop opens a new
 * one (from the URL, the seeds or the sentinels) on unref'd timers. Nothing here keeps a process alive:
 * a service that closed its server ends, whether Redis answers or not.
 */
import { ErrorReply } from '@redis/client';
import type { ResolvedTopology } from './topology.js';

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
  /** A command hung: on a cluster or Sentinel, look the topology up again. */
  suspect(): void;
  /** Starts connecting (in the background: never rejects). */
  connect(events: ConnectionEvents): void;
  close(): Promise<void>;
}

/** Socket settings every topology shares. */
export interface SocketSettings {
  readonly connectTimeoutMs: number;
  readonly maxReconnectDelayMs: number;
}

/** One opened set of clients; replaced whole when it breaks. */
export interface Link {
  send(key: string | undefined, args: readonly string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  isReady(): boolean;
  /** Drops every client at once. */
  destroy(): void;
  /** Says goodbye on every client. */
  close(): Promise<void>;
}

// Replies that mean "the topology is changing": the slot map or the primary must be looked up again.
const TOPOLOGY_REPLIES = /^(CLUSTERDOWN|READONLY|MASTERDOWN|LOADING|TRYAGAIN|NOAUTH)/;

/** Whether an error says the connection or the topology is wrong (rather than the command). */
function isTopologyError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof ErrorReply) return TOPOLOGY_REPLIES.test(err.message);
  return true;
}

/** The reconnection schedule: 25 ms doubling up to the maximum. */
function reconnectDelay(attempt: number, maxDelayMs: number): number {
  return Math.min(25 * 2 ** attempt, maxDelayMs);
}

/**
 * The reconnection loop of every topology: opens a link, subscribes every channel on it, reports
 * `ready`; when the link breaks (or a command says the topology changed), reports `down`, drops it and
 * opens another, waiting on unref'd timers between attempts.
 */
export abstract class ReconnectingConnection implements Connection {
  abstract readonly topology: Connection['topology'];
  abstract readonly publishCommand: Connection['publishCommand'];
  /** Whether a command that hung means the topology changed (not on one server). */
  protected abstract readonly rebuildOnTimeout: boolean;
  private link: Link | undefined;
  private ready = false;
  private events: ConnectionEvents | undefined;
  private readonly channels = new Map<string, (message: string) => void>();
  private generation = 0;
  private lastSuspect = 0;
  private closed = false;

  constructor(
    protected readonly topo: ResolvedTopology,
    protected readonly socket: SocketSettings,
  ) {}

  /** Opens one link; `lost` may be called (more than once) when any of its clients breaks. */
  protected abstract open(lost: () => void): Promise<Link>;

  isReady(): boolean {
    return this.ready && this.link?.isReady() === true;
  }

  async send(key: string | undefined, args: readonly string[]): Promise<unknown> {
    const link = this.link;
    if (link === undefined || !this.ready) throw new Error('Redis is not connected');
    try {
      return await link.send(key, args);
    } catch (err) {
      if (isTopologyError(err)) this.drop(link, true);
      throw err;
    }
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    this.channels.set(channel, listener);
    if (this.link !== undefined) await this.link.subscribe(channel, listener);
  }

  connect(events: ConnectionEvents): void {
    this.events = events;
    void this.start();
  }

  suspect(): void {
    if (this.rebuildOnTimeout && this.link !== undefined) this.drop(this.link, true);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    this.generation++;
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }

  // A broken link is replaced; a suspected one at most once a second (a topology lookup is not free).
  private drop(link: Link, suspected: boolean): void {
    if (this.closed || link !== this.link) return;
    if (suspected) {
      if (Date.now() - this.lastSuspect < 1000) return;
      this.lastSuspect = Date.now();
    }
    this.link = undefined;
    this.ready = false;
    this.events?.down();
    link.destroy();
    void this.start();
  }

  private async start(): Promise<void> {
    const generation = ++this.generation;
    for (let attempt = 0; !this.closed && generation === this.generation; attempt++) {
      const opening: { link?: Link; lost: boolean } = { lost: false };
      try {
        const link = await this.open(() => {
          opening.lost = true;
          if (opening.link !== undefined) this.drop(opening.link, false);
        });
        if (this.closed || generation !== this.generation) {
          link.destroy();
          return;
        }
        if (opening.lost) throw new Error('lost while opening');
        opening.link = link;
        this.link = link;
        // Channels added meanwhile are iterated too (and subscribe() subscribes them on this link).
        for (const [channel, listener] of this.channels) await link.subscribe(channel, listener);
        if (opening.lost || link !== this.link) throw new Error('lost while subscribing');
        this.ready = true;
        this.events?.ready();
        return;
      } catch {
        if (opening.link !== undefined && opening.link === this.link) this.link = undefined;
        opening.link?.destroy();
        if (this.closed || generation !== this.generation) return;
        this.events?.down();
        await sleep(reconnectDelay(attempt, this.socket.maxReconnectDelayMs));
      }
    }
  }
}

/** Closes a client: goodbye when connected, destroyed otherwise (queued commands would never end). */
export async function quit(client: {
  isOpen: boolean;
  isReady: boolean;
  close(): Promise<unknown>;
  destroy(): unknown;
}): Promise<void> {
  try {
    if (client.isReady) await client.close();
    else if (client.isOpen) client.destroy();
  } catch {
    destroy(client);
  }
}

/** Drops a client at once, whatever its state. */
export function destroy(client: { isOpen: boolean; destroy(): unknown }): void {
  try {
    if (client.isOpen) client.destroy();
  } catch {
    // already closed
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
