/**
 * The built apps and the dev IdP as real child processes (`node <app>/dist/main.js`), on ports the OS
 * picks (PORT=0, DEV_IDP_PORT=0): the address comes from the start-up line, readiness from /health.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REPO_ROOT } from '@gatehouse/testkit';

export { REPO_ROOT };

export type ProcessName = 'ingestion' | 'analytics' | 'analytics-koa' | 'telemetry-sender' | 'dev-idp';

export function mainOf(name: ProcessName): string {
  const main = `${REPO_ROOT}apps/${name}/dist/main.js`;
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build, or npm test)`);
  return main;
}

/** Only what a process needs: PATH, plus the test's variables (never the developer's GATEHOUSE_*). */
export function cleanEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  readonly name: ProcessName;
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** SIGTERM (or `signal`), then waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

export function spawnBuilt(
  name: ProcessName,
  env: Record<string, string | undefined>,
  args: string[] = [],
): Child {
  const child = spawn(process.execPath, [mainOf(name), ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    name,
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** Waits until `pattern` appears on stdout; fails with the output if the process exits first. */
export async function waitForOutput(
  proc: Child,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  for (;;) {
    const match = pattern.exec(proc.stdout());
    if (match) return match;
    if (exited || Date.now() > deadline) {
      throw new Error(
        `${proc.name} ${exited ? 'exited' : 'timed out'} before printing ${pattern}\nstdout: ${proc.stdout()}\nstderr: ${proc.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls `url` until it answers 200. */
export async function waitForHealth(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RunningProcess extends Child {
  readonly url: string;
}

/** Starts a built app (PORT=0) and resolves once its /health answers. */
export async function startApp(
  name: 'ingestion' | 'analytics' | 'analytics-koa',
  env: Record<string, string | undefined>,
): Promise<RunningProcess> {
  const proc = spawnBuilt(name, { PORT: '0', ...env });
  const [, url] = await waitForOutput(proc, /listening on (http:\/\/\S+)/);
  await waitForHealth(`${url}/health`);
  return { ...proc, url: url! };
}

/** Starts the dev IdP (DEV_IDP_PORT=0) and resolves once its discovery document answers. */
export async function startIdp(env: Record<string, string | undefined> = {}): Promise<RunningProcess> {
  const proc = spawnBuilt('dev-idp', { DEV_IDP_PORT: '0', ...env });
  const [, issuer] = await waitForOutput(proc, /^issuer\s+(http:\/\/\S+)$/m);
  await waitForHealth(`${issuer}/.well-known/openid-configuration`);
  return { ...proc, url: issuer! };
}

/** Runs a built program to its end. */
export async function runBuilt(
  name: ProcessName,
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const proc = spawnBuilt(name, env);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const exit = await proc.exited;
  clearTimeout(timer);
  return { ...exit, stdout: proc.stdout(), stderr: proc.stderr() };
}
