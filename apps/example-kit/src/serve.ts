/**
 * What the apps' `main.ts` share: turning a start-up failure into one line on stderr, listening with a
 * clear message for a taken port, and a clean stop on SIGINT/SIGTERM.
 */
import type { Server } from 'node:http';

/** What `serve` touches of the process: `process` itself in main.ts. */
export interface ServeProcess {
  log(line: string): void;
  error(line: string): void;
  exit(code: number): void;
  onSignal(signal: NodeJS.Signals, handler: () => void): void;
}

export const processIO: ServeProcess = {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
  exit: (code) => process.exit(code),
  onSignal: (signal, handler) => void process.on(signal, handler),
};

// Errors whose message is meant for the operator: configuration (names the variable and the field), a bad
// PORT or HOST, an unusable database. Anything else is a bug and keeps its stack.
const OPERATOR_ERRORS = new Set(['ConfigError', 'EnvError', 'StoreError']);

/**
 * Prints a start-up failure as one line (`ingestion: GATEHOUSE_OIDC_CONFIG: "issuers[0].audience" is
 * required`) and exits 1, without a stack trace. Unexpected errors are rethrown.
 */
export function exitOnStartupError(name: string, err: unknown, io: ServeProcess = processIO): void {
  if (err instanceof Error && OPERATOR_ERRORS.has(err.name)) {
    io.error(`${name}: ${err.message}`);
    io.exit(1);
    return;
  }
  throw err;
}

export interface ServeOptions {
  /** Short name used in every line printed (`ingestion`). */
  readonly name: string;
  readonly server: Server;
  readonly port: number;
  readonly host: string;
  /** Appended to the start-up line (never a secret). */
  readonly details?: string;
  /**
   * Runs as soon as a stop begins: end the long-lived connections (WebSockets, gRPC streams), which
   * the HTTP server would otherwise wait for.
   */
  readonly stopping?: () => void;
  /** Runs after the server stopped accepting requests (close the database, the Nest app). */
  readonly close: () => Promise<void> | void;
  /** Open connections are cut after this many ms of a stop. Default 5000. */
  readonly graceMs?: number;
}

/** Listens, prints one start-up line, and stops cleanly (exit 0) on SIGINT or SIGTERM. */
export function serve(options: ServeOptions, io: ServeProcess = processIO): void {
  const { name, server, port, host } = options;
  server.once('error', (err: NodeJS.ErrnoException) => {
    io.error(
      err.code === 'EADDRINUSE'
        ? `${name}: port ${port} on ${host} is already in use (set PORT to another port)`
        : `${name}: cannot listen on ${host}:${port}: ${err.message}`,
    );
    io.exit(1);
  });
  server.listen(port, host, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    const details = options.details ? ` (${options.details})` : '';
    io.log(`${name} listening on http://${shownHost}:${actual}${details}`);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    options.stopping?.();
    const force = setTimeout(() => server.closeAllConnections(), options.graceMs ?? 5000);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      Promise.resolve()
        .then(options.close)
        .then(
          () => io.exit(0),
          (err: unknown) => {
            io.error(`${name}: error while stopping: ${(err as Error).message}`);
            io.exit(1);
          },
        );
    });
    server.closeIdleConnections();
  };
  io.onSignal('SIGINT', stop);
  io.onSignal('SIGTERM', stop);
}
