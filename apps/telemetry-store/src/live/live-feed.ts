/**
 * Live updates for dashboards: the analytics apps read the database that ingestion (another process)
 * writes, so new records are found by polling it, a few times a second and only while someone listens.
 * Each subscriber gets the records it may read: its own (sent by its subject at its issuer), or every
 * record for an admin.
 */
import type { Sender, StoredLogEntry, StoredMetricPoint } from '../records.js';
import type { RecordCursor, TelemetryStore } from '../store.js';

/** The kinds of records a dashboard can follow. */
export const LIVE_STREAMS = ['logs', 'metrics'] as const;
export type LiveStream = (typeof LIVE_STREAMS)[number];

/** Who is watching: what decides which records it gets. */
export interface Viewer {
  readonly subject: string;
  readonly issuer: string;
  readonly isAdmin: boolean;
}

/** What a subscriber receives: new records of one kind, oldest first. */
export type LiveUpdate =
  | { readonly type: 'logs'; readonly entries: readonly StoredLogEntry[] }
  | { readonly type: 'metrics'; readonly points: readonly StoredMetricPoint[] };

export interface LiveFeedOptions {
  /** How often the database is read while someone listens, in ms. Default 250. */
  readonly intervalMs?: number;
  /** At most this many records of each kind per read. Default 500. */
  readonly batchLimit?: number;
}

interface Subscriber {
  readonly viewer: Viewer;
  readonly streams: ReadonlySet<LiveStream>;
  readonly send: (update: LiveUpdate) => void;
}

/**
 * New records as they arrive, for subscribers that may read them.
 *
 * @example
 * ```ts
 * const feed = new LiveFeed(store);
 * const stop = feed.subscribe(auth, ['logs'], (update) => ws.send(JSON.stringify(update)));
 * ws.once('close', stop);
 * ```
 */
export class LiveFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly intervalMs: number;
  private readonly batchLimit: number;
  private cursor: RecordCursor | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly store: TelemetryStore,
    options: LiveFeedOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 250;
    this.batchLimit = options.batchLimit ?? 500;
  }

  /** Starts sending `viewer` the new records of `streams` it may read; returns the function that stops. */
  subscribe(viewer: Viewer, streams: readonly LiveStream[], send: (update: LiveUpdate) => void): () => void {
    const subscriber: Subscriber = { viewer, streams: new Set(streams), send };
    if (this.subscribers.size === 0) this.start();
    this.subscribers.add(subscriber);
    return () => {
      if (!this.subscribers.delete(subscriber)) return;
      if (this.subscribers.size === 0) this.stop();
    };
  }

  /** Stops polling and forgets every subscriber. */
  close(): void {
    this.subscribers.clear();
    this.stop();
  }

  private start(): void {
    this.cursor = this.store.cursorNow();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private poll(): void {
    if (this.cursor === undefined) return;
    let read: ReturnType<TelemetryStore['recordsAfter']>;
    try {
      read = this.store.recordsAfter(this.cursor, this.batchLimit);
    } catch {
      return; // a busy or closed database: the next tick tries again
    }
    this.cursor = read.cursor;
    if (read.logs.length === 0 && read.metrics.length === 0) return;
    for (const { viewer, streams, send } of this.subscribers) {
      const mine = (record: { sender: Sender }) => viewer.isAdmin || sentBy(record.sender, viewer);
      const entries = streams.has('logs') ? read.logs.filter(mine) : [];
      const points = streams.has('metrics') ? read.metrics.filter(mine) : [];
      if (entries.length > 0) send({ type: 'logs', entries });
      if (points.length > 0) send({ type: 'metrics', points });
    }
  }
}

function sentBy(sender: Sender, viewer: Viewer): boolean {
  return sender.subject === viewer.subject && sender.issuer === viewer.issuer;
}
