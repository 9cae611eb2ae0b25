import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { findRuntime } from '@gatehouse/testkit';
import type { ServerConfig } from '../fixture.js';
import { variant as lookup } from '../variants.js';

/** `dist/` of the bench, where the compiled entry points live. */
export const DIST = fileURLToPath(new URL('..', import.meta.url));

let tasksetWorks: boolean | undefined;

/** Whether `taskset` can pin processes here (it cannot in some containers). */
export function canPin(): boolean {
  if (tasksetWorks === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      tasksetWorks = true;
    } catch {
      tasksetWorks = false;
    }
  }
  return tasksetWorks;
}

/**
 * Spawns `node <args>` (or another runtime's binary) pinned to `core` when pinning works (taskset execs
 * the binary: same pid).
 */
export function spawnNode(
  core: number,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; ipc?: boolean; bin?: string } = {},
): ChildProcess {
  const stdio = options.ipc
    ? (['ignore', 'pipe', 'inherit', 'ipc'] as const)
    : (['ignore', 'pipe', 'inherit'] as const);
  const env = { ...process.env, NODE_ENV: 'production', ...options.env };
  const bin = options.bin ?? process.execPath;
  return canPin()
    ? spawn('taskset', ['-c', String(core), bin, ...args], { stdio: [...stdio], env })
    : spawn(bin, args, { stdio: [...stdio], env });
}

/** The binary that serves `variant`: Node, or its runtime's (undefined when that is not installed). */
export function binaryOf(name: string): string | undefined {
  const runtime = lookup(name).runtime;
  return runtime === undefined ? process.execPath : findRuntime(runtime);
}

/** A benchmark server process and the port it listens on. */
export interface RunningServer {
  readonly variant: string;
  readonly url: string;
  readonly child: ChildProcess;
}

export async function startServer(variant: string, config: ServerConfig, core = 0): Promise<RunningServer> {
  const bin = binaryOf(variant);
  if (bin === undefined) throw new Error(`${variant}: ${lookup(variant).runtime} is not installed`);
  const child = spawnNode(core, [`${DIST}servers/main.js`, variant], {
    env: { BENCH_CONFIG: JSON.stringify(config) },
    bin,
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${variant} did not start within 20 s`)), 20_000);
    lines.on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${variant} exited with ${code} before listening`)));
  });
  return { variant, url: `http://127.0.0.1:${port}`, child };
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where unavailable. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}
