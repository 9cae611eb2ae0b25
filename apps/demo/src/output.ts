/**
 * What of the services' output reaches the terminal. Every line goes to the service's log file
 * (`<data dir>/demo-logs/<name>.log`). The terminal gets the start-up lines, and after the welcome block only
 * what went wrong: anything on stderr, and log lines at error level or warnings, except the refusals that
 * the demo's own traffic causes on purpose (the status line counts those). `DEMO_LOGS=1` shows everything.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { LineSink, Stream } from './processes.js';

/** pino's numeric levels. */
const WARN = 40;
const ERROR = 50;
/** The same problem is shown at most once in this long (the file has every line). */
const REPEAT_MS = 30_000;

/** The options of {@link DemoOutput}. */
export interface OutputOptions {
  /** The folder of the log files. */
  readonly dir: string;
  /** Every line on the terminal too (`DEMO_LOGS=1`). */
  readonly full: boolean;
  /** Services whose plain lines stay off the terminal even at start-up (the IdP's banner, say). */
  readonly quiet?: readonly string[];
  /** Writes to the terminal (default stdout for stdout lines, stderr for the rest). */
  readonly write?: (text: string, stream: Stream) => void;
  /** The clock of the repeat limit (tests). */
  readonly now?: () => number;
}

/** A JSON log line's level and event, or undefined for a plain line. */
function logFields(line: string): { level: number; event: string | undefined } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const { level, event } = JSON.parse(line) as { level?: unknown; event?: unknown };
    return typeof level === 'number'
      ? { level, event: typeof event === 'string' ? event : undefined }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Routes the services' lines to their files and, when they matter, to the terminal. */
export class DemoOutput {
  private readonly files = new Map<string, WriteStream>();
  private readonly shown = new Map<string, number>();
  private started = true;
  private closed = false;
  private readonly write: (text: string, stream: Stream) => void;
  private readonly now: () => number;

  constructor(private readonly options: OutputOptions) {
    this.write =
      options.write ??
      ((text, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(text));
    this.now = options.now ?? Date.now;
  }

  /** Where `label`'s lines are written. */
  fileOf(label: string): string {
    return join(this.options.dir, `${label}.log`);
  }

  /** Receives every line of every service. */
  readonly sink: LineSink = (label, stream, line) => {
    if (!this.closed) this.file(label).write(`${line}\n`);
    if (this.options.full || this.matters(label, stream, line)) {
      this.write(`${`[${label}]`.padEnd(16)} ${line}\n`, stream);
    }
  };

  /** From now on (the welcome block is out) plain start-up lines stay in the files. */
  startedUp(): void {
    this.started = false;
  }

  /** Flushes and closes the files. */
  async close(): Promise<void> {
    this.closed = true;
    const files = [...this.files.values()];
    this.files.clear();
    await Promise.all(files.map((file) => new Promise<void>((resolve) => file.end(resolve))));
  }

  private matters(label: string, stream: Stream, line: string): boolean {
    const fields = logFields(line);
    let key: string;
    if (stream === 'stderr') key = line.slice(0, 80);
    else if (fields === undefined) return this.started && !this.options.quiet?.includes(label);
    else if (fields.level >= ERROR || (fields.level >= WARN && fields.event !== 'gatehouse.auth.rejected')) {
      key = fields.event ?? line.slice(0, 80);
    } else return false;
    // A problem that repeats (Redis unreachable, say) is shown once in a while, not on every request.
    const id = `${label} ${key}`;
    const last = this.shown.get(id);
    if (last !== undefined && this.now() - last < REPEAT_MS) return false;
    this.shown.set(id, this.now());
    return true;
  }

  private file(label: string): WriteStream {
    let file = this.files.get(label);
    if (file === undefined) {
      if (this.files.size === 0) mkdirSync(this.options.dir, { recursive: true });
      file = createWriteStream(this.fileOf(label), { flags: 'w' });
      this.files.set(label, file);
    }
    return file;
  }
}
