import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../../client/test/helpers/build.js';
import type { TestIssuer } from '../../../client/test/helpers/idp.js';

/** The built command, run as users run it. */
export const BIN = join(ROOT, 'packages/cli/dist/bin.js');

/** The result of one CLI run. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process, for flows that need to read its output while it waits (login). */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stderr match of `pattern` (rejects when the process ends first). */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<CliResult>;
}

/**
 * A sandbox home: HOME and GATEHOUSE_CONFIG_DIR point into a fresh temporary folder, so no test ever reads or
 * writes the real ~/.gatehouse, and no DISPLAY, so no real browser is ever opened.
 */
export interface Sandbox {
  home: string;
  configDir: string;
  env: Record<string, string>;
  tokenFile(profile?: string): string;
  cleanup(): Promise<void>;
}

export async function createSandbox(): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  const configDir = join(home, '.gatehouse');
  return {
    home,
    configDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GATEHOUSE_CONFIG_DIR: configDir },
    tokenFile: (profile = 'default') => join(configDir, 'tokens', `${profile}.json`),
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
}

/** The sandbox environment configured for a login at the test issuer (its `cli` client unless told). */
export function loginEnv(
  sandbox: Sandbox,
  issuer: TestIssuer,
  clientId: string = issuer.idp.clients.cli.clientId,
): Record<string, string> {
  return { ...sandbox.env, GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer, GATEHOUSE_OIDC_CLIENT_ID: clientId };
}

/** The token file as stored (snake_case JSON). */
export async function readTokenFile(path: string) {
  return JSON.parse(await readFile(path, 'utf8'));
}

/**
 * Rewrites the token file so that its access token (with a 600 s lifetime) expires `expiresIn` seconds from
 * now (negative: already expired). Resolves to the document as it was.
 */
export async function setAccessTokenExpiry(path: string, expiresIn: number) {
  const doc = await readTokenFile(path);
  const expiresAt = Math.floor(Date.now() / 1000) + expiresIn;
  await writeFile(path, JSON.stringify({ ...doc, obtained_at: expiresAt - 600, expires_at: expiresAt }));
  return doc;
}

/** Starts `node dist/bin.js …args` with exactly `env` (nothing inherited but what the sandbox sets). */
export function startCli(
  args: string[],
  env: Record<string, string | undefined>,
  cwd = ROOT,
  options: { input?: string } = {},
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

/** Runs the CLI to completion (with `input` on a piped stdin, else no stdin). */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  cwd = ROOT,
  options: { input?: string } = {},
): Promise<CliResult> {
  return startCli(args, env, cwd, options).done;
}

/** Writes `<config dir>/config.json`. */
export async function writeConfig(sandbox: Sandbox, config: unknown): Promise<void> {
  await mkdir(sandbox.configDir, { recursive: true });
  await writeFile(join(sandbox.configDir, 'config.json'), JSON.stringify(config));
}

/**
 * Runs `command` under script(1), so that it has a real pseudo-terminal (a person is there), writing
 * `answers` as the prompts appear. Resolves with everything the terminal showed and the exit code.
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

/** `script` (util-linux) gives a command a real pseudo-terminal. */
export const HAS_SCRIPT = existsSync('/usr/bin/script');

/** Logs the sandbox in at the test issuer with the browser flow (`--no-browser`, driven headlessly). */
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

/** The authorization URL `login --no-browser` prints on a line of its own (under any issuer path). */
export const AUTHORIZATION_URL = /^(http:\/\/127\.0\.0\.1:\d+\/(?:\S*\/)?auth\?\S+)$/m;
