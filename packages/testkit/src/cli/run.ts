/** Running the built `gatehouse` command as users run it: piped, in a pseudo-terminal, or through a login. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../build.js';
import type { TestIssuer } from '../issuer.js';

/**
 * The built command (`npm run build`, or {@link ensureBuilt}), run as users run it.
 *
 * @example
 * ```ts
 * await runInTerminal(`"${process.execPath}" "${BIN}" login`, env);
 * ```
 */
export const BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');

/**
 * The result of one CLI run.
 *
 * @example
 * ```ts
 * const { code, stdout }: CliResult = await runCli(['token'], env);
 * ```
 */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A running CLI process, for flows that need to read its output while it waits (login).
 *
 * @example
 * ```ts
 * const cli: RunningCli = startCli(['login', '--no-browser', '--port', '0'], env);
 * const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
 * ```
 */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stderr match of `pattern` (rejects when the process ends first). */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<CliResult>;
}

/** Options of {@link startCli} and {@link runCli}. */
export interface CliRunOptions {
  /** Written to a piped stdin, which is then closed; without it there is no stdin at all. */
  input?: string;
}

/**
 * Starts `node dist/bin.js …args` with exactly `env` (nothing inherited but what the sandbox sets).
 *
 * @example
 * ```ts
 * const cli = startCli(['daemon', 'run'], sandbox.env);
 * await cli.waitForStderr(/ready/);
 * cli.child.kill('SIGTERM');
 * ```
 */
export function startCli(
  args: string[],
  env: Record<string, string | undefined>,
  cwd = REPO_ROOT,
  options: CliRunOptions = {},
): RunningCli {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: clean,
    cwd,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] =
    [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = err.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    check();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      for (const waiter of waiters.splice(0)) {
        waiter.reject(new Error(`gatehouse exited (${code}) before printing ${waiter.pattern}:\n${err}`));
      }
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        check();
      }),
    done,
  };
}

/**
 * Runs the CLI to completion (with `input` on a piped stdin, else no stdin).
 *
 * @example
 * ```ts
 * const result = await runCli(['token', '--scope', 'api:read'], env);
 * expect(result.code).toBe(0);
 * ```
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  cwd = REPO_ROOT,
  options: CliRunOptions = {},
): Promise<CliResult> {
  return startCli(args, env, cwd, options).done;
}

/**
 * `script` (util-linux) gives a command a real pseudo-terminal.
 *
 * @example
 * ```ts
 * it.runIf(HAS_SCRIPT)('asks for the passphrase on the terminal', async () => {});
 * ```
 */
export const HAS_SCRIPT = existsSync('/usr/bin/script');

/**
 * Runs `command` under script(1), so that it has a real pseudo-terminal (a person is there), writing
 * `answers` as the prompts appear. Resolves with everything the terminal showed and the exit code.
 *
 * @example
 * ```ts
 * const { code, output } = await runInTerminal(`"${process.execPath}" "${BIN}" login`, env, [
 *   { prompt: 'Password:', answer: 'alice' },
 * ]);
 * ```
 */
export async function runInTerminal(
  command: string,
  env: Record<string, string>,
  answers: { prompt: string; answer: string }[] = [],
): Promise<{ code: number | null; output: string }> {
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: { ...env, TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const pending = [...answers];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output += d;
    while (pending[0] && output.includes(pending[0].prompt)) {
      child.stdin.write(`${pending.shift()!.answer}\r`);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, output };
}

/**
 * The authorization URL `login --no-browser` prints on a line of its own (under any issuer path).
 *
 * @example
 * ```ts
 * const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
 * ```
 */
export const AUTHORIZATION_URL = /^(http:\/\/127\.0\.0\.1:\d+\/(?:\S*\/)?auth\?\S+)$/m;

/**
 * Logs the sandbox in at the test issuer with the browser flow (`--no-browser`, driven headlessly).
 *
 * @example
 * ```ts
 * expect((await loginHeadlessly(issuer, env)).code).toBe(0);
 * ```
 */
export async function loginHeadlessly(
  issuer: TestIssuer,
  env: Record<string, string>,
  args: string[] = [],
  username = 'alice',
): Promise<CliResult> {
  const cli = startCli(['login', '--no-browser', '--port', '0', ...args], env);
  const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
  await issuer.idp.loginHeadless(url!, { username, password: username }, { deliver: true });
  return cli.done;
}
