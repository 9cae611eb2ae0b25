/**
 * The live page's feed of new records: the demo server holds a WebSocket to an analytics app's
 * `/v1/stream` (authenticated like any request, with an `Authorization` header that never reaches the
 * browser), subscribes to the logs, and keeps the latest entries for the page. It reconnects after a
 * restart or a shutdown (1001, 1006), and stops for good when Gatehouse closes the socket with 4001
 * (the credential was revoked, or expired).
 */
import WebSocket from 'ws';

/** One log entry as the stream pushes it. */
export interface LiveEntry {
  readonly timestamp: string;
  readonly level: string;
  readonly processId: string;
  readonly message: string;
  readonly sender?: { readonly subject: string };
}

/** What the page shows of the feed. */
export interface LiveFeedView {
  /** `connecting`, `open`, or why it stopped (`closed: revoked`). */
  readonly state: string;
  /** The newest first. */
  readonly entries: readonly LiveEntry[];
}

const KEPT = 12;
const MAX_BACKOFF_MS = 5000;

/** A subscription to `/v1/stream`, kept open until {@link stop}. */
export class LiveFeed {
  private socket: WebSocket | undefined;
  private entries: LiveEntry[] = [];
  private state = 'connecting';
  private stopped = false;
  private backoffMs = 250;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: { readonly url: string; readonly authorization: string }) {}

  start(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url, {
      headers: { authorization: this.options.authorization },
    });
    this.socket = socket;
    socket.on('message', (data) => this.onMessage(String(data)));
    socket.on('open', () => {
      this.backoffMs = 250;
      socket.send(JSON.stringify({ type: 'subscribe', streams: ['logs'] }));
    });
    socket.on('error', () => {
      // reported by 'close', which always follows
    });
    socket.on('close', (code, reason) => {
      if (this.stopped) return;
      // 4001: Gatehouse ended the credential (revoked, expired): reconnecting with it would be refused.
      if (code === 4001) {
        this.state = `closed: ${String(reason) || 'revoked'}`;
        return;
      }
      this.state = 'reconnecting';
      this.retry = setTimeout(() => this.start(), this.backoffMs);
      this.retry.unref();
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    });
  }

  view(): LiveFeedView {
    return { state: this.state, entries: this.entries };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.socket?.close(1000, 'demo stopping');
  }

  private onMessage(text: string): void {
    let message: { type?: string; entries?: LiveEntry[] };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.type === 'subscribed') this.state = 'open';
    if (message.type === 'logs' && Array.isArray(message.entries)) {
      this.entries = [...message.entries.slice().reverse(), ...this.entries].slice(0, KEPT);
    }
  }
}
