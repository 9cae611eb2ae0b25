/**
 * Live updates for dashboards: the analytics apps read the database that ingestion (another process)
 * writes, so new records are found by polling it, a few times a second and only while someone listens.
 * Each subscriber gets the records it may read, as Gatehouse's authorization step decides: for each sender
 * of new records, whether the viewer may read that sender's logs or metrics (one batch per read; in the
 * example apps, its own records or, for an admin, every one). No decision, no records.
 */
import type { Owner, Permitted, SenderRecords } from '../ownership.js';
import type { Sender, StoredLogEntry, StoredMetricPoint } from '../records.js';
import type { RecordCursor, TelemetryStore } from '../store.js';

/** The kinds of records a dashboard can follow. */
export const LIVE_STREAMS = ['logs', 'metrics'] as const;
export type LiveStream = (typeof LIVE_STREAMS)[number];

/**
 * Who is watching, as the authorization step sees it: which senders' records (`{ type: 'log' | 'metric',
 * owner }`) it may read (`gate.permitted(auth, 'read', …)`; may answer with a promise).
 */
export interface Viewer {
  readonly permitted: Permitted;
}

/**
 * What a subscriber receives: new records of one kind, oldest first; or, when no decision could be made
 * (the authorization backend unreachable), an error instead of those records.
 */
export type LiveUpdate =
  | { readonly type: 'logs'; readonly entries: readonly StoredLogEntry[] }
  | { readonly type: 'metrics'; readonly points: readonly StoredMetricPoint[] }
  | { readonly type: 'error'; readonly error: string; readonly error_description: string };

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
  /** Updates decided asynchronously (a PDP) leave in the order they were read. */
  queue: Promise<void>;
}

/**
 * New records as they arrive, for subscribers that may read them.
 *
 * @example
 * ```ts
 * const feed = new LiveFeed(store);
 * const viewer = { permitted: (resources: SenderRecords[]) => gate.permitted(auth, 'read', resources) };
 * const stop = feed.subscribe(viewer, ['logs'], (update) => ws.send(JSON.stringify(update)));
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
    const subscriber: Subscriber = { viewer, streams: new Set(streams), send, queue: Promise.resolve() };
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
    for (const subscriber of this.subscribers) {
      const logs = subscriber.streams.has('logs') ? read.logs : [];
      const metrics = subscriber.streams.has('metrics') ? read.metrics : [];
      if (logs.length > 0 || metrics.length > 0) deliver(subscriber, logs, metrics);
    }
  }
}

// Asks the viewer's decisions about the senders of these records, then sends what it may read.
function deliver(
  subscriber: Subscriber,
  logs: readonly StoredLogEntry[],
  metrics: readonly StoredMetricPoint[],
): void {
  const resources = [...sendersOf('log', logs), ...sendersOf('metric', metrics)];
  const send = (allowed: readonly SenderRecords[]) => {
    const may = new Set(allowed.map((r) => `${r.type}\u0000${key(r.owner)}`));
    const entries = logs.filter((e) => may.has(`log\u0000${key(e.sender)}`));
    const points = metrics.filter((p) => may.has(`metric\u0000${key(p.sender)}`));
    if (entries.length > 0) subscriber.send({ type: 'logs', entries });
    if (points.length > 0) subscriber.send({ type: 'metrics', points });
  };
  const refused = () =>
    subscriber.send({
      type: 'error',
      error: 'authz_unavailable',
      error_description: 'new records could not be authorized, retry later',
    });
  let decided: SenderRecords[] | Promise<SenderRecords[]>;
  try {
    decided = subscriber.viewer.permitted(resources);
  } catch {
    refused();
    return;
  }
  if (!(decided instanceof Promise)) {
    send(decided);
    return;
  }
  // Settled now (never an unhandled rejection while an earlier update waits), sent in order.
  const outcome = decided.then(
    (allowed) => () => send(allowed),
    () => refused,
  );
  subscriber.queue = subscriber.queue
    .then(() => outcome)
    .then((deliverIt) => deliverIt())
    .catch(() => {}); // a socket gone meanwhile: nothing to send to
}

function sendersOf(type: string, records: readonly { readonly sender: Sender }[]): SenderRecords[] {
  const seen = new Map<string, Owner>();
  for (const { sender } of records) seen.set(key(sender), { subject: sender.subject, issuer: sender.issuer });
  return [...seen.values()].map((owner) => ({ type, owner }));
}

const key = (owner: Owner) => `${owner.issuer}\u0000${owner.subject}`;
