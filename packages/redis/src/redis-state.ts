import { randomUUID } from 'node:crypto';
import type { AuditLogger } from '@gatehouse/core';
import { RevocationList, type SharedState, StateUnavailableError } from '@gatehouse/core/state';
import { RedisBus } from './bus.js';
import { Commands } from './commands.js';
import type { Connection } from './connection.js';
import { RedisCounters } from './counters.js';
import { type KeyLayout, keyLayout } from './keys.js';
import { RedisOneTimeIds } from './one-time-ids.js';
import { RedisRevocations } from './revocation-store.js';
import { RevocationSync } from './revocation-sync.js';
import { POLL } from './scripts.js';
import { ClusterConnection, SentinelConnection, SingleConnection } from './topologies.js';
import { type ResolvedTopology, resolveTopology, type TopologyOptions } from './topology.js';

/**
 * Options of {@link createRedisState}: exactly one of `url`, `cluster` or `sentinel`.
 *
 * @example
 * ```ts
 * createRedisState({ url: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000' });
 * createRedisState({ cluster: { nodes: ['10.0.0.1:7000', '10.0.0.2:7000'] }, username: 'gatehouse', password });
 * createRedisState({
 *   sentinel: { nodes: ['10.0.0.5:26379', '10.0.0.6:26379'], masterName: 'mymaster' },
 *   sentinelCredentials: { password: sentinelPassword },
 * });
 * ```
 */
export interface RedisStateOptions extends TopologyOptions {
  /**
   * Replicas that must have a revocation (or a lift) before it is acknowledged (`WAIT`), so that a
   * failover right after cannot lose it; when they do not confirm within `replicaWaitMs` the change is
   * answered `StateUnavailableError` (503). Default 1 on a cluster or Sentinel, 0 on one server.
   */
  readonly replicaAcks?: number;
  /** How long to wait for those replicas. Default 500 ms. */
  readonly replicaWaitMs?: number;
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
  replicaWaitMs: 500,
});

/** What a {@link RedisState} counted since it started (failover figures). */
export interface RedisStateStats {
  /** Revocations and lifts answered 503 because no replica confirmed them in time. */
  readonly unreplicated: number;
  /** Revocations this instance put back after a reconnection because Redis had lost them. */
  readonly reasserted: number;
}

/** Instances that have not said they are alive for this long are no longer counted. */
const INSTANCE_STALE_MS = 5000;

/**
 * Gatehouse's shared state on Redis: the four parts of `SharedState` (`@gatehouse/core/state`) and its
 * lifecycle. Connects and reconnects by itself; an unreachable Redis never stops the service:
 * revocations keep being enforced from memory, counters and one-time ids fall back to this instance,
 * and {@link isReachable} (readiness) says so.
 *
 * @example
 * ```ts
 * const state = createRedisState({ url: 'redis://127.0.0.1:6379' });
 * state.isReachable(); // false until the first connection; true while Redis answers
 * ```
 */
export class RedisState implements SharedState {
  readonly kind = 'redis';
  /** `single`, `cluster` or `sentinel`. */
  readonly topology: ResolvedTopology['kind'];
  readonly oneTimeIds: RedisOneTimeIds;
  readonly counters: RedisCounters;
  readonly revocations: RedisRevocations;
  readonly bus: RedisBus;
  private readonly connection: Connection;
  private readonly commands: Commands;
  private readonly keys: KeyLayout;
  private readonly sync: RevocationSync;
  private readonly now: () => number;
  private readonly logger: AuditLogger | undefined;
  private readonly instanceId = randomUUID();
  private readonly timer: ReturnType<typeof setInterval>;
  private synced = false;
  private reported: 'connected' | 'unreachable' | undefined;
  private polling = false;
  private lastPrune = 0;
  private closed = false;
  private counts = { unreplicated: 0, reasserted: 0 };

  constructor(options: RedisStateOptions) {
    const topology = resolveTopology(options);
    this.topology = topology.kind;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.keys = keyLayout(options.keyPrefix ?? REDIS_STATE_DEFAULTS.keyPrefix);
    const timeoutMs = options.commandTimeoutMs ?? REDIS_STATE_DEFAULTS.commandTimeoutMs;
    const socket = {
      connectTimeoutMs: timeoutMs,
      maxReconnectDelayMs: options.maxReconnectDelayMs ?? REDIS_STATE_DEFAULTS.maxReconnectDelayMs,
    };
    const Topology = { single: SingleConnection, cluster: ClusterConnection, sentinel: SentinelConnection }[
      topology.kind
    ];
    this.connection = new Topology(topology, socket);
    const acks = options.replicaAcks ?? (topology.kind === 'single' ? 0 : 1);
    const waitMs = options.replicaWaitMs ?? REDIS_STATE_DEFAULTS.replicaWaitMs;
    this.commands = new Commands(this.connection, timeoutMs, (reason) =>
      this.logger?.warn(
        { event: 'gatehouse.state.scripts_denied', store: 'redis', reason },
        'Redis refuses EVAL/EVALSHA (NOPERM): grant +evalsha +eval to the Gatehouse user; known revocations stay enforced, nothing is shared',
      ),
    );
    this.oneTimeIds = new RedisOneTimeIds(this.commands, this.keys, this.now);
    this.counters = new RedisCounters(this.commands, this.keys);
    this.bus = new RedisBus(this.connection, this.commands, this.keys);
    const inForce = new RevocationList();
    this.sync = new RevocationSync(
      inForce,
      this.keys,
      this.connection.publishCommand,
      this.commands.script,
      this.now,
      (count) =>
        this.logger?.warn(
          { event: 'gatehouse.state.restored', count },
          'Redis came back empty: revocations put back',
        ),
    );
    this.revocations = new RedisRevocations(inForce, this.sync, this.commands, () =>
      acks > 0 ? this.replicated(acks, waitMs) : Promise.resolve(),
    );
    this.connection.subscribe(this.keys.channel, (message) => this.sync.onMessage(message)).catch(() => {});
    this.connection.connect({ ready: () => this.onReady(), down: () => this.onDown() });
    this.timer = setInterval(
      () => void this.poll(),
      options.pollIntervalMs ?? REDIS_STATE_DEFAULTS.pollIntervalMs,
    );
    this.timer.unref();
  }

  isReachable(): boolean {
    return this.commands.isReady() && this.synced;
  }

  /**
   * Resolves once the first connection is made and the revocations are in sync (or `timeoutMs` passed).
   * While awaited, it keeps the process alive (the connections never do).
   */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isReachable() && Date.now() < deadline && !this.closed) await sleep(10);
    return this.isReachable();
  }

  /** What this instance counted since it started (failover figures). */
  stats(): RedisStateStats {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.connection.close();
  }

  private onReady(): void {
    this.commands.clearStall();
    // After a failover the new primary may lack what the old one acknowledged: put it back first.
    if (this.topology !== 'single' && this.synced) {
      this.sync.reassert().then(
        (n) => {
          this.counts.reasserted += n;
        },
        () => {},
      );
    }
    this.resync();
  }

  // WAIT on the connection that made the change: the change is on `acks` replicas, or it is a 503.
  private async replicated(acks: number, waitMs: number): Promise<void> {
    const reply = await this.commands.send(this.keys.rev, ['WAIT', String(acks), String(waitMs)]);
    if (Number(reply) < acks) {
      this.counts.unreplicated++;
      throw new StateUnavailableError('Redis replicas did not confirm the change in time');
    }
  }

  private onDown(): void {
    if (this.closed) return;
    if (!this.connection.isReady()) this.synced = false;
    if (this.reported !== 'unreachable' && !this.connection.isReady()) {
      this.reported = 'unreachable';
      this.logger?.warn(
        { event: 'gatehouse.state.unreachable', store: 'redis' },
        'Redis unreachable: enforcing known revocations, counting locally',
      );
    }
  }

  // A full resync after every (re)connection: messages may have been missed.
  private resync(): void {
    if (!this.connection.isReady()) return;
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

  // The heartbeat and the periodic version check, in one script: repairs any missed message.
  private async poll(): Promise<void> {
    if (this.polling || !this.connection.isReady()) return;
    this.polling = true;
    try {
      const now = this.now();
      const k = this.keys;
      const [epoch, version, instances] = (await this.commands.script(
        POLL,
        [k.epoch, k.version, k.instances],
        [this.instanceId, String(now), String(INSTANCE_STALE_MS)],
      )) as [string | null, number, number];
      this.counters.live = Math.max(1, Number(instances));
      if (!this.synced || this.sync.isBehind(epoch, Number(version))) this.resync();
      if (now - this.lastPrune > 5000) {
        this.lastPrune = now;
        this.revocations.inForce.prune(now);
      }
    } catch {
      // stalled or disconnected: isReachable() says so; the next poll tries again
    } finally {
      this.polling = false;
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

// Ref'd on purpose: a caller awaiting ready() keeps its process alive until the answer (at most
// `timeoutMs`), since the connections themselves never do.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
