import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRuntime, freePort, waitFor } from '@gatehouse/testkit';
import { build } from 'esbuild';

/** How a Worker is configured: the compatibility date and flags decide whether node: modules exist. */
export interface WorkerSetup {
  readonly compatibilityDate: string;
  readonly compatibilityFlags?: readonly string[];
  /** Text bindings (a Worker's vars and secrets), as its `env` carries them. */
  readonly bindings?: Readonly<Record<string, string>>;
}

/**
 * A Worker bundled from `entry` (as wrangler would: one ES module) and served by workerd on loopback, with
 * its outbound `fetch` allowed to loopback servers (an identity provider under test).
 */
export async function serveWorker(
  entry: string,
  setup: WorkerSetup,
): Promise<{ url: string; close(): Promise<void>; stderr(): string }> {
  const workerd = findRuntime('workerd');
  if (workerd === undefined)
    throw new Error('workerd is not installed (npm ci installs it with @gatehouse/testkit)');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-workerd-'));
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'import'],
    outfile: join(dir, 'worker.js'),
    logLevel: 'silent',
  });
  const port = await freePort();
  const flags = (setup.compatibilityFlags ?? []).map((f) => JSON.stringify(f)).join(', ');
  // JSON string literals are valid Cap'n Proto text literals (the values are ASCII).
  const bindings = Object.entries(setup.bindings ?? {})
    .map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`)
    .join(', ');
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # The default outbound network reaches public addresses only; the tests' servers are on loopback.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ]
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "${setup.compatibilityDate}",
  compatibilityFlags = [${flags}],
  bindings = [${bindings}],
);
`,
  );
  const child: ChildProcess = spawn(workerd, ['serve', join(dir, 'config.capnp')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(url).catch(() => undefined)) !== undefined, 20_000, 50);
  return {
    url,
    stderr: () => stderr,
    close: async () => {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
