import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AuthProvider, GatehouseOptions } from '@gatehouse/core';
import { findRuntime, type RuntimeName } from '@gatehouse/testkit';
import { serveWorker } from '../runtimes/workerd.js';
import type { Target } from './targets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVER = fileURLToPath(new URL('./fixture/hono-server.mjs', import.meta.url));
const WORKER = fileURLToPath(new URL('./fixture/hono-worker.mjs', import.meta.url));
const ARGS: Record<'node' | 'bun' | 'deno', readonly string[]> = {
  node: [],
  bun: [],
  deno: ['run', '--allow-net', '--allow-env', '--allow-read'],
};

// `routes: true` is in the fixture's code; `env: false` holds anyway (the child's GATEHOUSE_* variables are
// only these). Everything else must travel as a variable.
const IN_CODE: Readonly<Record<string, unknown>> = { env: false, routes: true };
const CARRIED = new Set(['apiKeys', 'oidc', 'admins']);

/** The test process's environment without its GATEHOUSE_* variables. */
const withoutGatehouse = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GATEHOUSE_')));

// The configuration as the GATEHOUSE_* variables carry it (out-of-process targets cannot take a provider);
// an option they cannot carry fails the test rather than being dropped.
function environment(setup: AuthProvider | GatehouseOptions): Record<string, string> {
  if ('validateToken' in setup) throw new Error('a runtime target needs options, not a provider');
  const options = setup as GatehouseOptions;
  for (const [name, value] of Object.entries(options)) {
    if (!CARRIED.has(name) && !(name in IN_CODE && IN_CODE[name] === value)) {
      throw new Error(`a runtime target cannot carry the option ${name}=${JSON.stringify(value)}`);
    }
  }
  const env: Record<string, string> = {};
  if (options.apiKeys) env.GATEHOUSE_API_KEYS = JSON.stringify(options.apiKeys);
  if (options.oidc) {
    env.GATEHOUSE_OIDC_CONFIG = JSON.stringify({
      issuers: options.oidc.issuers.map(({ issuer, audience, ...rest }) => {
        if (Object.keys(rest).length > 0)
          throw new Error(`a runtime target cannot carry ${Object.keys(rest)}`);
        return { issuer, audience };
      }),
    });
  }
  if (options.admins) env.GATEHOUSE_ADMINS = JSON.stringify(options.admins);
  return env;
}

/** The one Hono source file, run as its own process on `runtime` and configured by the environment. */
export const runtimeTarget = (runtime: keyof typeof ARGS): Target | undefined => {
  const bin = findRuntime(runtime as RuntimeName);
  if (bin === undefined) return undefined;
  return {
    name: `hono 4 on ${runtime} (one source file, GATEHOUSE_* only)`,
    async start(setup) {
      const child = spawn(bin, [...ARGS[runtime], SERVER], {
        cwd: root,
        env: { ...withoutGatehouse(), ...environment(setup), NODE_ENV: 'production', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c;
      });
      const port = await new Promise<number>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout! });
        lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
        child.once('exit', (code) => reject(new Error(`${runtime} exited ${code}: ${stderr}`)));
      });
      return {
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          child.kill();
        },
      };
    },
  };
};

/**
 * The same Hono app as a Worker under workerd, its gate built on the first request from the `env` bindings
 * that carry the GATEHOUSE_* variables; with or without `nodejs_compat` (no `process`, no node: modules).
 */
export const workerTarget = (nodejsCompat: boolean): Target | undefined => {
  if (findRuntime('workerd') === undefined) return undefined;
  return {
    name: `hono 4 on workerd (a Worker, env bindings${nodejsCompat ? ', nodejs_compat' : ''})`,
    start: (setup) =>
      serveWorker(WORKER, {
        compatibilityDate: '2025-06-01',
        compatibilityFlags: nodejsCompat ? ['nodejs_compat'] : [],
        bindings: { ...environment(setup), NODE_ENV: 'production' },
      }),
  };
};

/**
 * Hono on each runtime installed here (npm ci installs bun, deno and workerd with @gatehouse/testkit):
 * one server file on Node, Bun and Deno, and a Worker under workerd.
 */
export const RUNTIME_TARGETS: readonly Target[] = [
  ...(['node', 'bun', 'deno'] as const).map(runtimeTarget),
  workerTarget(false),
  workerTarget(true),
].filter((target): target is Target => target !== undefined);
