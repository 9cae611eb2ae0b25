import type { AuthContext } from '../context.js';
import type { ConnectionCloseCause, ConnectionCounts } from '../observability/connections.js';
import type { RevocationIndex } from '../state/revocation-store.js';
import { CLOSE_CODES, type ConnectionCloseReason } from './protocol.js';

/**
 * What the registry reads of the shared state: whether a revocation covers an identity, and a signal
 * when the revocations in force change (made or lifted on any instance: the store keeps this in-memory
 * index current in the background). The one place the connections depend on the shared state.
 */
export type RevocationFeed = Pick<RevocationIndex, 'covers' | 'onChange'>;

/** How a tracked connection is ended by the registry: the transport's own close. */
export type EndConnection = (code: number, reason: ConnectionCloseReason) => void;

/** Options of {@link ConnectionRegistry}. */
export interface ConnectionRegistryOptions {
  /** The revocations in force on this instance (a gate's `state.revocations.inForce`). */
  readonly revocations: RevocationFeed;
  /**
   * Seconds past a token's `exp` before its connection is closed: the clock tolerance the pipeline
   * applies to `exp`, so that a connection closes when a new handshake with the same token would fail.
   * Default 60.
   */
  readonly expiryGraceSecs?: number;
  /** Open and closed counts for metrics. */
  readonly counts?: ConnectionCounts;
  /** Current time in milliseconds (for tests). */
  readonly now?: () => number;
}

/** A connection the registry watches, as its transport holds it. */
export interface TrackedConnection {
  /** The identity the connection runs as now (replaced by {@link replace}). */
  readonly auth: AuthContext;
  readonly transport: string;
  /** Whether the connection is still tracked (false once it ended, for any cause). */
  readonly open: boolean;
  /** The identity after an in-band re-authentication: the expiry is rescheduled from its `exp`. */
  replace(auth: AuthContext): void;
  /** The transport ended by itself (the peer or the application closed it): stop watching. */
  ended(): void;
}

/** Longest delay `setTimeout` takes (about 24.8 days); longer expiries are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Every accepted long-lived connection with its identity. It closes a connection (code 4001) within a
 * moment of a revocation that covers it, made on any instance, and when its token expires; it counts
 * open connections by transport and closes by cause. Framework-neutral: each transport hands it a close
 * function.
 *
 * @example
 * ```ts
 * const registry = new ConnectionRegistry({ revocations: gate.state.revocations.inForce });
 * const tracked = registry.track(auth, 'websocket', (code, reason) => ws.close(code, reason));
 * ws.once('close', () => tracked.ended());
 * ```
 */
export class ConnectionRegistry {
  private readonly connections = new Set<Entry>();
  private readonly feed: RevocationFeed;
  private readonly graceMs: number;
  private readonly counts: ConnectionCounts | undefined;
  private readonly now: () => number;
  private unsubscribe: (() => void) | undefined;
  private sweepScheduled = false;

  constructor(options: ConnectionRegistryOptions) {
    this.feed = options.revocations;
    this.graceMs = (options.expiryGraceSecs ?? 60) * 1000;
    this.counts = options.counts;
    this.now = options.now ?? Date.now;
  }

  /** Connections tracked now. */
  get size(): number {
    return this.connections.size;
  }

  /**
   * Starts watching a connection that was just accepted. A revocation already covering `auth`, or an
   * `exp` already past the grace, ends it on the next tick.
   */
  track(auth: AuthContext, transport: string, end: EndConnection): TrackedConnection {
    const entry = new Entry(this, auth, transport, end);
    if (this.connections.size === 0) this.unsubscribe = this.feed.onChange(() => this.scheduleSweep());
    this.connections.add(entry);
    this.counts?.opened(transport);
    this.schedule(entry);
    if (this.feed.covers(auth) !== undefined) this.scheduleSweep();
    return entry;
  }

  /** Ends every connection (close code 1001) and stops watching: for graceful shutdowns. */
  closeAll(): void {
    for (const entry of [...this.connections]) this.finish(entry, 'shutdown');
  }

  /** @internal */
  schedule(entry: Entry): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = undefined;
    const expiresAt = entry.auth.expiresAt?.getTime();
    if (expiresAt === undefined) return;
    const delay = expiresAt + this.graceMs - this.now();
    if (delay <= 0) {
      queueMicrotask(() => entry.open && this.finish(entry, 'expired'));
      return;
    }
    entry.timer = setTimeout(
      () => (delay > MAX_TIMER_MS ? this.schedule(entry) : this.finish(entry, 'expired')),
      Math.min(delay, MAX_TIMER_MS),
    );
    entry.timer.unref?.();
  }

  /** @internal Ends a connection for `cause`, once: the registry's own closes call the transport. */
  finish(entry: Entry, cause: ConnectionCloseCause): void {
    if (!entry.open) return;
    entry.open = false;
    this.connections.delete(entry);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = undefined;
    this.counts?.closed(entry.transport, cause);
    if (this.connections.size === 0) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    }
    if (cause === 'ended') return;
    const { code, reason } = CLOSE_CODES[cause];
    try {
      entry.end(code, reason);
    } catch {
      // A transport that is already gone: nothing left to close.
    }
  }

  // A burst of changes (a resync replaces the whole list) costs one pass over the connections.
  private scheduleSweep(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    queueMicrotask(() => {
      this.sweepScheduled = false;
      for (const entry of [...this.connections]) {
        if (this.feed.covers(entry.auth) !== undefined) this.finish(entry, 'revoked');
      }
    });
  }

  /** @internal */
  isCovered(auth: AuthContext): boolean {
    return this.feed.covers(auth) !== undefined;
  }
}

class Entry implements TrackedConnection {
  open = true;
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly registry: ConnectionRegistry,
    public auth: AuthContext,
    readonly transport: string,
    readonly end: EndConnection,
  ) {}

  replace(auth: AuthContext): void {
    if (!this.open) return;
    this.auth = auth;
    this.registry.schedule(this);
    if (this.registry.isCovered(auth)) this.registry.finish(this, 'revoked');
  }

  ended(): void {
    this.registry.finish(this, 'ended');
  }
}
