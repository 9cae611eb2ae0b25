import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AuthProvider, GatehouseOptions } from '@gatehouse/core';
import { findRuntime, type RuntimeName } from '@gatehouse/testkit';
import type { Target } from './targets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SERVER = fileURLToPath(new URL('./fixture/hono-server.mjs', import.meta.url));
const ARGS: Record<'node' | 'bun' | 'deno', readonly string[]> = {
  node: [],
  bun: [],
  deno: ['run', '--allow-net', '--allow-env', '--allow-read'],
};

// The configuration as the GATEHOUSE_* variables carry it (out-of-process targets cannot take a provider).
function environment(setup: AuthProvider | GatehouseOptions): Record<string, string> {
  if ('validateToken' in setup) throw new Error('a runtime target needs options, not a provider');
  const options = setup as GatehouseOptions;
  const env: Record<string, string> = {};
  if (options.apiKeys) env.GATEHOUSE_API_KEYS = JSON.stringify(options.apiKeys);
  if (options.oidc) {
    env.GATEHOUSE_OIDC_CONFIG = JSON.stringify({
      issuers: options.oidc.issuers.map(({ issuer, audience }) => ({ issuer, audience })),
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
        env: { ...process.env, ...environment(setup), NODE_ENV: 'production', NO_COLOR: '1' },
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

/** Hono on each runtime installed here (npm ci installs bun and deno with @gatehouse/testkit). */
export const RUNTIME_TARGETS: readonly Target[] = (['node', 'bun', 'deno'] as const)
  .map(runtimeTarget)
  .filter((target): target is Target => target !== undefined);
