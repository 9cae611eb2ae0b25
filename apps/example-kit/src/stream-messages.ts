/**
 * The JSON messages of the apps' `GET /v1/stream` WebSockets (after Gatehouse's own welcome): batches
 * sent to ingestion and answered one by one, and dashboard subscriptions answered by the analytics
 * apps. Every failure is `{"type": "error", "error", "error_description"}`, the apps' error shape.
 */
import {
  type IngestResult,
  LIMITS,
  LIVE_STREAMS,
  type LiveFeed,
  type LiveStream,
  type LiveUpdate,
  parseBatch,
  type Sender,
  type TelemetryStore,
  ValidationError,
  type Viewer,
} from '@gatehouse/example-telemetry-store';
import { type ErrorBody, errorAnswer, errorBody } from './http.js';

/** A refused message: the connection stays open. */
export type StreamError = { readonly type: 'error' } & ErrorBody;

/** Ingestion's answer to one batch: what `POST /v1/ingest` answers, typed. */
export type IngestAnswer =
  | ({ readonly type: 'ingested'; readonly sender: Sender } & IngestResult)
  | StreamError;

/** The analytics apps' answers besides the updates themselves. */
export type DashboardAnswer =
  | { readonly type: 'subscribed'; readonly streams: readonly LiveStream[] }
  | { readonly type: 'unsubscribed' }
  | LiveUpdate
  | StreamError;

/**
 * A WebSocket message as JSON: a text or binary frame of at most the apps' body limit.
 *
 * @example
 * ```ts
 * const message = parseMessage(data); // throws ValidationError for anything but JSON
 * ```
 */
export function parseMessage(data: unknown): unknown {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : typeof data === 'string' ? data : undefined;
  if (text === undefined || Buffer.byteLength(text) > LIMITS.maxBodyBytes) {
    throw new ValidationError([
      { field: '(message)', problem: `must be JSON text of at most ${LIMITS.maxBodyBytes} bytes` },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError([{ field: '(message)', problem: 'is not valid JSON' }]);
  }
}

/**
 * Stores one batch sent on ingestion's stream (a message shaped like `POST /v1/ingest`'s body), stamped
 * with the connection's identity; a bad batch is answered and the stream goes on.
 *
 * @example
 * ```ts
 * ws.on('message', (data) => ws.send(JSON.stringify(ingestMessage(store, data, connectionAuth(ws)!))));
 * ```
 */
export function ingestMessage(store: TelemetryStore, data: unknown, sender: Sender): IngestAnswer {
  try {
    const batch = parseBatch(Buffer.isBuffer(data) || typeof data === 'string' ? parseMessage(data) : data);
    const who = { subject: sender.subject, issuer: sender.issuer, authType: sender.authType };
    return { type: 'ingested', ...store.insertBatch(batch, who), sender: who };
  } catch (err) {
    return streamError(err);
  }
}

/** A failure as a stream message (`{"type": "error", …}`), never echoing the input. */
export function streamError(err: unknown): StreamError {
  return { type: 'error', ...errorAnswer(err).body };
}

/**
 * One dashboard's conversation on an analytics app's stream: `{"type": "subscribe", "streams": ["logs",
 * "metrics"]}` (both when `streams` is left out) starts the updates it may read, `{"type":
 * "unsubscribe"}` stops them.
 *
 * @example
 * ```ts
 * const viewer = { permitted: (resources: SenderRecords[]) => gate.permitted(auth, 'read', resources) };
 * const session = dashboardSession(feed, viewer, (answer) => ws.send(JSON.stringify(answer)));
 * ws.on('message', (data) => session.receive(data));
 * ws.once('close', () => session.close());
 * ```
 */
export function dashboardSession(feed: LiveFeed, viewer: Viewer, send: (answer: DashboardAnswer) => void) {
  let stop: (() => void) | undefined;
  const end = () => {
    stop?.();
    stop = undefined;
  };
  const answer = (data: unknown): DashboardAnswer => {
    let message: unknown;
    let chosen: LiveStream[];
    try {
      message = Buffer.isBuffer(data) || typeof data === 'string' ? parseMessage(data) : data;
      const { type, streams } = (message ?? {}) as { type?: unknown; streams?: unknown };
      if (type === 'unsubscribe') {
        end();
        return { type: 'unsubscribed' };
      }
      if (type !== 'subscribe') return { type: 'error', ...UNKNOWN_MESSAGE };
      chosen = parseStreams(streams);
    } catch (err) {
      return streamError(err);
    }
    end();
    stop = feed.subscribe(viewer, chosen, send);
    return { type: 'subscribed', streams: chosen };
  };
  return {
    /** Answers one message (raw frame data, or JSON already parsed). */
    receive: (data: unknown): void => send(answer(data)),
    /** The connection ended: no more updates. */
    close: end,
  };
}

const UNKNOWN_MESSAGE = errorBody(
  'invalid_request',
  'expected {"type": "subscribe", "streams": [...]} or {"type": "unsubscribe"}',
);

function parseStreams(streams: unknown): LiveStream[] {
  if (streams === undefined) return [...LIVE_STREAMS];
  const known = new Set<string>(LIVE_STREAMS);
  if (!Array.isArray(streams) || streams.length === 0 || !streams.every((s) => known.has(s))) {
    throw new ValidationError([
      { field: 'streams', problem: `must be a non-empty list of ${LIVE_STREAMS.join(', ')}` },
    ]);
  }
  return [...new Set(streams as LiveStream[])];
}
