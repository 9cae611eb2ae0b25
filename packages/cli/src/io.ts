import type { BrowserOpener } from '@gatehouse/client';

/**
 * A writable text stream (process.stdout / process.stderr or a test double).
 *
 * @example
 * ```ts
 * import type { OutputStream } from '@gatehouse/cli';
 * let captured = '';
 * const stream: OutputStream = { write: (text: string) => (captured += text) };
 * ```
 */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Everything the CLI touches outside itself, injectable for embedding and tests.
 *
 * @example
 * ```ts
 * import { type CliIO, processIO, run } from '@gatehouse/cli';
 * const io: CliIO = { ...processIO(new AbortController().signal), interactive: false };
 * const code = await run(['token'], io);
 * ```
 */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** True when a person can answer: stdin and stderr are terminals. Default from the streams. */
  interactive: boolean;
  /** Overrides how the browser is opened (default: `GATEHOUSE_BROWSER`, else the system browser). */
  openBrowser?: BrowserOpener;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /**
   * How to run this CLI again, for `daemon start` (the node executable and the script). Default: this
   * process's `process.execPath` and `process.argv[1]`.
   */
  self?: readonly string[];
}

/**
 * The process's own streams and environment.
 *
 * @example
 * ```ts
 * import { processIO, run } from '@gatehouse/cli';
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * process.exitCode = await run(process.argv.slice(2), processIO(controller.signal));
 * ```
 */
export function processIO(signal: AbortSignal): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    signal,
  };
}
