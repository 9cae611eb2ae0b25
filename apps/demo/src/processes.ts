/**
 * The demo's child processes: each built app started as `node apps/<name>/dist/main.js`, its output
 * relayed line by line, and everything stopped together (Ctrl-C, or any part failing).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { REPO_ROOT } from '@gatehouse/testkit';
import { childEnv, STARTUP_TIMEOUT_MS } from './settings.js';

/** Where a line of a child's output came from. */
export type Stream = 'stdout' | 'stderr';

/** Receives every line of every child; the supervisor's owner decides what reaches the terminal. */
export type LineSink = (label: string, stream: Stream, line: string) => void;

/** How {@link Supervisor.start} runs an app. */
export interface StartOptions {
  /** The name shown with its lines (default the app's). */
  readonly label?: string;
}

interface Entry {
  readonly name: string;
  readonly child: ChildProcess;
  done: boolean;
}

/** Calls `onLine` for each complete line of `stream`. */
export function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
}

/** The built entry point of `apps/<name>`, or an error saying to build. */
export function mainOf(name: string): string {
  const main = join(REPO_ROOT, 'apps', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  return main;
}

/** Starts, watches and stops every process of the demo; one failure stops them all. */
export class Supervisor {
  private readonly entries: Entry[] = [];
  private readonly cleanups: (() => unknown)[] = [];
  private readonly finals: (() => unknown)[] = [];
  private stopped = false;

  constructor(private readonly sink: LineSink) {}

  /** Whether the demo is stopping (an exit now is expected). */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Runs `cleanup` when the demo stops (timers, servers, Redis). */
  onStop(cleanup: () => unknown): void {
    this.cleanups.push(cleanup);
  }

  /** Runs `cleanup` once every process has exited and every {@link onStop} cleanup is done (log files). */
  afterStop(cleanup: () => unknown): void {
    this.finals.push(cleanup);
  }

  /** Says what went wrong and stops everything with exit code 1. */
  fail(message: string): void {
    console.error(`demo: ${message}`);
    this.stopAll(1);
  }

  /**
   * Starts `apps/<name>/dist/main.js` and resolves with the first match of `ready` on its stdout; an exit
   * before that rejects, an exit after it (unless stopping) stops the demo.
   */
  start(
    name: string,
    env: Record<string, string>,
    ready: RegExp,
    options: StartOptions = {},
  ): Promise<RegExpExecArray> {
    const label = options.label ?? name;
    const child = this.spawn(label, [mainOf(name)], env);
    let readySeen = false;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${label} did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)),
        STARTUP_TIMEOUT_MS,
      );
      eachLine(child.stdout!, (line) => {
        const match = readySeen ? null : ready.exec(line);
        if (match) {
          readySeen = true;
          clearTimeout(timer);
          resolve(match);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const how = `exit ${code ?? signal}`;
        if (!readySeen) reject(new Error(`${label} could not start (${how}); see its message above`));
        else if (!this.stopped) this.fail(`${label} stopped unexpectedly (${how}); stopping the demo`);
      });
    });
  }

  /** Runs `apps/<name>/dist/main.js` to its end; rejects unless it exits 0. */
  run(name: string, env: Record<string, string>, label = name): Promise<void> {
    const child = this.spawn(label, [mainOf(name)], env);
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`${label} failed (exit ${code}); see its message above`));
      });
    });
  }

  /** Starts `apps/<name>/dist/main.js` in the background; its exit is reported but stops nothing. */
  background(name: string, env: Record<string, string>, label: string): void {
    const child = this.spawn(label, [mainOf(name)], env);
    child.once('exit', (code) => {
      if (!this.stopped) console.error(`demo: ${label} stopped (exit ${code}); the rest keeps running`);
    });
  }

  private spawn(label: string, args: string[], env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const entry: Entry = { name: label, child, done: false };
    this.entries.push(entry);
    child.once('exit', () => {
      entry.done = true;
    });
    eachLine(child.stdout!, (line) => this.sink(label, 'stdout', line));
    eachLine(child.stderr!, (line) => this.sink(label, 'stderr', line));
    return child;
  }

  /** Stops everything (SIGTERM, SIGKILL after 10 s) and exits with `code`. */
  stopAll(code: number): void {
    if (this.stopped) return;
    this.stopped = true;
    const running = this.entries.filter((e) => !e.done);
    for (const { child } of running) child.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const { child } of running) child.kill('SIGKILL');
    }, 10_000);
    const exited = running.map(
      ({ child }) =>
        new Promise<void>((resolve) =>
          child.exitCode !== null || child.signalCode !== null
            ? resolve()
            : child.once('exit', () => resolve()),
        ),
    );
    const run = (cleanups: (() => unknown)[]) =>
      cleanups.map(async (cleanup) => {
        try {
          await cleanup();
        } catch {
          // stopping anyway
        }
      });
    void Promise.all([...exited, ...run(this.cleanups)])
      .then(() => Promise.all(run(this.finals)))
      .then(() => {
        clearTimeout(force);
        if (code === 0) console.log('demo: stopped');
        process.exit(code);
      });
  }
}
