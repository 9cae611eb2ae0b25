import { createHash, randomUUID } from 'node:crypto';
import {
  type AuditLogger,
  type LeaseRequest,
  type LeaseResult,
  LocalClaims,
  parseRedisUrl,
  type Revocation,
  RevocationList,
  type SharedState,
  StateUnavailableError,
} from '@gatehouse/core';
import { createClient } from '@redis/client';
import { RedisStateError } from './errors.js';
import { RevocationSync } from './revocation-sync.js';
import { INCREMENT, LEASE, POLL, type Script } from './scripts.js';

/** Options of {@link createRedisState}. */
export interface RedisStateOptions {
  /** `redis://[user:password@]host:port[/db]` (`rediss://` for TLS): `GATEHOUSE_REDIS_URL`. */
  readonly url: string;
  /** Prefix of every key and channel, so that several services can share one Redis. Default `gatehouse:`. */
  readonly keyPrefix?: string;
  /** How often the instance checks that its revocations are current (and says it is alive). Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Longest wait for one Redis command before Redis counts as unreachable. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** Longest pause between two reconnection attempts. Default 500 ms. */
  readonly maxReconnectDelayMs?: number;
  /** Receives connection events (never the URL's password). */
  readonly logger?: AuditLogger;
  /** Current time in milliseconds (for tests). */
  readonly now?: () => number;
}

/** The defaults of {@link RedisStateOptions}. */
export const REDIS_STATE_DEFAULTS = Object.freeze({
  keyPrefix: 'gatehouse:',
  pollIntervalMs: 250,
  commandTimeoutMs: 1000,
  maxReconnectDelayMs: 500,
});

type Client = ReturnType<typeof createClient>;

/**
 * Gatehouse's shared state on Redis (see `SharedState` in `@gatehouse/core`). Connects and reconnects
 * by itself; an unreachable Redis never stops the service: revocations keep being enforced from memory,
 * counters and one-time ids fall back to this instance, and {@link isReachable} (readiness) says so.
 *
 * @example
 * ```ts
 * const state = createRedisState({ url: 'redis://127.0.0.1:6379' });
 * state.isReachable(); // false until the first connection; true while Redis answers
 * ```
 */
export class RedisState implements SharedState {
  readonly kind = 'redis';
  readonly revocations = new RevocationList();
  private readonly client: Client;
  private readonly subscriber: Client;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly logger: AuditLogger | undefined;
  private readonly sync: RevocationSync;
  private readonly local: LocalClaims;
  private readonly topics = new Map<string, Set<(message: string) => void>>();
  private readonly instanceId = randomUUID();
  private readonly timer: ReturnType<typeof setInterval>;
  private liveInstances = 1;
  /** A command timed out: Redis answers too slowly to count as reachable until one succeeds. */
  private stalled = false;
  private synced = false;
  private reported: 'connected' | 'unreachable' | undefined;
  private polling = false;
  private lastPrune = 0;
  private closed = false;

  constructor(options: RedisStateOptions) {
    const parts = parseRedisUrl(options.url);
    if (typeof parts === 'string') throw new RedisStateError(`"url" ${parts}`);
    this.prefix = options.keyPrefix ?? REDIS_STATE_DEFAULTS.keyPrefix;
    this.timeoutMs = options.commandTimeoutMs ?? REDIS_STATE_DEFAULTS.commandTimeoutMs;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.local = new LocalClaims(this.now);
    const maxDelay = options.maxReconnectDelayMs ?? REDIS_STATE_DEFAULTS.maxReconnectDelayMs;
    this.client = createClient({
      url: options.url,
      // A command while disconnected fails at once instead of waiting in a queue: the caller falls back.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.timeoutMs,
        reconnectStrategy: (retries: number) => Math.min(25 * 2 ** retries, maxDelay),
      },
    });
    this.subscriber = this.client.duplicate();
    const p = this.prefix;
    this.sync = new RevocationSync(
      this.revocations,
      {
        epoch: `${p}epoch`,
        version: `${p}rev:version`,
        rev: `${p}rev`,
        revExpiries: `${p}rev:exp`,
        tombstonePrefix: `${p}rev:lifted:`,
        channel: `${p}revocations`,
      },
      (script, keys, args) => this.script(script, keys, args),
      this.now,
      (count) =>
        this.logger?.warn(
          { event: 'gatehouse.state.restored', count },
          'Redis came back empty: revocations put back',
        ),
    );
    this.wire(this.client, () => this.onConnected());
    this.wire(this.subscriber, () => this.resync());
    this.client.connect().catch(() => {});
    this.subscriber
      .connect()
      .then(async () => {
        await this.subscriber.subscribe(`${p}revocations`, (message) => this.sync.onMessage(message));
        await this.subscriber.pSubscribe(`${p}topic:*`, (message, channel) => this.deliver(channel, message));
      })
      .catch(() => {});
    this.timer = setInterval(
      () => void this.poll(),
      options.pollIntervalMs ?? REDIS_STATE_DEFAULTS.pollIntervalMs,
    );
    this.timer.unref();
  }

  isReachable(): boolean {
    return this.client.isReady && !this.stalled && this.synced;
  }

  async claimOnce(scope: string, id: string, ttlSecs: number): Promise<boolean> {
    if (!this.local.claim(scope, id, ttlSecs)) return false;
    if (!this.client.isReady) return true; // unreachable: this instance's own memory decides
    try {
      const reply = await this.command([
        'SET',
        this.onceKey(scope, id),
        '1',
        'NX',
        'PX',
        String(Math.ceil(ttlSecs * 1000)),
      ]);
      return reply === 'OK';
    } catch {
      return true;
    }
  }

  async releaseClaim(scope: string, id: string): Promise<void> {
    this.local.release(scope, id);
    if (!this.client.isReady) return;
    await this.command(['DEL', this.onceKey(scope, id)]).catch(() => {});
  }

  async storeRevocation(revocation: Revocation): Promise<void> {
    this.requireReachable();
    try {
      await this.sync.add(revocation);
    } catch (err) {
      throw unavailable(err);
    }
  }

  async liftRevocation(id: string): Promise<boolean> {
    this.requireReachable();
    try {
      return await this.sync.remove(id);
    } catch (err) {
      throw unavailable(err);
    }
  }

  lease(request: LeaseRequest): Promise<LeaseResult> {
    this.requireReachable();
    const args = [request.limit, request.want, request.debt, Math.ceil(request.ttlMs)].map(String);
    return this.script(LEASE, [this.prefix + request.key], args).then((reply) => {
      const [granted, used] = reply as [number, number];
      return { granted: Number(granted), used: Number(used) };
    });
  }

  increment(key: string, by: number, ttlMs: number): Promise<number> {
    this.requireReachable();
    return this.script(INCREMENT, [this.prefix + key], [String(by), String(Math.ceil(ttlMs))]).then(Number);
  }

  instances(): number {
    return this.liveInstances;
  }

  async publish(topic: string, message: string): Promise<void> {
    if (this.client.isReady) {
      try {
        await this.command(['PUBLISH', `${this.prefix}topic:${topic}`, message]);
        return;
      } catch {
        // delivered locally below
      }
    }
    this.deliverLocal(topic, message);
  }

  subscribe(topic: string, listener: (message: string) => void): () => void {
    let listeners = this.topics.get(topic);
    if (listeners === undefined) {
      listeners = new Set();
      this.topics.set(topic, listeners);
    }
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Resolves once the first connection is made and the revocations are in sync (or `timeoutMs` passed). */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isReachable() && Date.now() < deadline && !this.closed) await sleep(10);
    return this.isReachable();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([quit(this.client), quit(this.subscriber)]);
  }

  private wire(client: Client, onReady: () => void): void {
    client.on('error', () => this.onDown()); // every failure is also a reconnection; logged once below
    client.on('reconnecting', () => this.onDown());
    client.on('end', () => this.onDown());
    client.on('ready', onReady);
  }

  private onConnected(): void {
    this.stalled = false;
    this.resync();
  }

  private onDown(): void {
    if (this.closed) return;
    if (!this.client.isReady) this.synced = false;
    if (this.reported !== 'unreachable' && !this.client.isReady) {
      this.reported = 'unreachable';
      this.logger?.warn(
        { event: 'gatehouse.state.unreachable', store: 'redis' },
        'Redis unreachable: enforcing known revocations, counting locally',
      );
    }
  }

  // A full resync after every (re)connection of either connection: messages may have been missed.
  private resync(): void {
    if (!this.client.isReady) return;
    this.sync.sync().then(
      () => {
        this.synced = true;
        if (this.reported !== 'connected') {
          this.reported = 'connected';
          this.logger?.info(
            { event: 'gatehouse.state.connected', store: 'redis' },
            'Redis connected, revocations in sync',
          );
        }
      },
      () => {},
    );
  }

  private async poll(): Promise<void> {
    if (this.polling || !this.client.isReady) return;
    this.polling = true;
    try {
      const now = this.now();
      const p = this.prefix;
      const [epoch, version, instances] = (await this.script(
        POLL,
        [`${p}epoch`, `${p}rev:version`, `${p}instances`],
        [this.instanceId, String(now), '5000'],
      )) as [string | null, number, number];
      this.liveInstances = Math.max(1, Number(instances));
      if (!this.synced || this.sync.isBehind(epoch, Number(version))) this.resync();
      if (now - this.lastPrune > 5000) {
        this.lastPrune = now;
        this.revocations.prune(now);
      }
    } catch {
      // stalled or disconnected: isReachable() says so; the next poll tries again
    } finally {
      this.polling = false;
    }
  }

  private requireReachable(): void {
    if (!this.client.isReady || this.stalled) throw new StateUnavailableError();
  }

  private async script(script: Script, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.command(['EVALSHA', script.sha, ...tail]);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await this.command(['EVAL', script.source, ...tail]);
    }
  }

  private command(args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stalled = true;
        reject(new StateUnavailableError('Redis did not answer in time'));
      }, this.timeoutMs);
      this.client.sendCommand(args).then(
        (reply) => {
          clearTimeout(timer);
          this.stalled = false;
          resolve(reply);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  private onceKey(scope: string, id: string): string {
    // Hashed: ids are sender-chosen (any length, any characters).
    return `${this.prefix}once:${createHash('sha256').update(`${scope}\u0000${id}`).digest('base64url')}`;
  }

  private deliver(channel: string, message: string): void {
    this.deliverLocal(channel.slice(`${this.prefix}topic:`.length), message);
  }

  private deliverLocal(topic: string, message: string): void {
    for (const listener of this.topics.get(topic) ?? []) {
      try {
        listener(message);
      } catch {
        // a subscriber's failure is its own
      }
    }
  }
}

/**
 * Creates Gatehouse's shared state on Redis and starts connecting in the background.
 *
 * @example
 * ```ts
 * import { createGatehouse } from '@gatehouse/core';
 * import { createRedisState } from '@gatehouse/redis';
 *
 * const state = createRedisState({ url: process.env.GATEHOUSE_REDIS_URL! });
 * const gate = createGatehouse({ state });
 * ```
 */
export function createRedisState(options: RedisStateOptions): RedisState {
  return new RedisState(options);
}

function unavailable(err: unknown): StateUnavailableError {
  return err instanceof StateUnavailableError ? err : new StateUnavailableError(undefined, { cause: err });
}

async function quit(client: Client): Promise<void> {
  try {
    if (client.isOpen) await client.close();
  } catch {
    client.destroy();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
