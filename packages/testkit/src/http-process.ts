/**
 * A real server process (a PDP, an app) on a loopback port, started and awaited until an HTTP URL of it
 * answers, and stopped for good: the launcher the tests, the bench and the demo share for HTTP servers.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * What {@link HttpProcess.start} runs.
 *
 * @example
 * ```ts
 * const options: HttpProcessOptions = { command: process.execPath, args: ['server.js'], readyUrl: 'http://127.0.0.1:4480/' };
 * ```
 */
export interface HttpProcessOptions {
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** A URL that answers 2xx once the server serves. */
  readonly readyUrl: string;
  /** Milliseconds to wait for it (default 15000). */
  readonly timeoutMs?: number;
}

/**
 * A running server process.
 *
 * @example
 * ```ts
 * const pdp = await HttpProcess.start({ command: process.execPath, args: ['dist/main.js'], readyUrl: 'http://127.0.0.1:4480/health' });
 * await pdp.stop();
 * ```
 */
export class HttpProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly output: string[],
  ) {}

  /** Starts the process; rejects (and kills it) if it exits or does not answer in time. */
  static async start(options: HttpProcessOptions): Promise<HttpProcess> {
    const child = spawn(options.command, [...(options.args ?? [])], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const running = new HttpProcess(child, output);
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    for (;;) {
      try {
        const response = await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        if (response.ok) return running;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        await running.stop();
        throw new Error(
          `${options.command} did not serve ${options.readyUrl}: ${output.join('').slice(-2000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** What the process printed so far. */
  get log(): string {
    return this.output.join('');
  }

  /** Stops it (SIGTERM, then SIGKILL after 3 s) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }
}
