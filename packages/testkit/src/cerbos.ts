/**
 * Cerbos, a real AuthZEN 1.0 PDP (its `/access/v1/evaluation(s)` and metadata), from the npm package of
 * its Linux x64 binary (an optional dependency: absent elsewhere, and the tests that need it skip).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HttpProcess } from './http-process.js';
import { freePort } from './ports.js';

const PACKAGE = '@cerbos/cerbos-linux-x64';

/**
 * The Cerbos binary, or undefined when its package is not installed (not Linux x64).
 *
 * @example
 * ```ts
 * if (findCerbos() === undefined) console.error('npm install @cerbos/cerbos-linux-x64');
 * ```
 */
export function findCerbos(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`);
    return join(dirname(manifest), 'cerbos-linux-x64');
  } catch {
    return undefined;
  }
}

/**
 * Starts Cerbos on a free loopback port with these policies (file name → YAML) and resolves once its
 * AuthZEN metadata answers; `url` is its PDP identifier.
 *
 * @example
 * ```ts
 * const cerbos = await startCerbos({ 'todo.yaml': TODO_POLICY });
 * await cerbos.process.stop();
 * ```
 */
export async function startCerbos(
  policies: Readonly<Record<string, string>>,
): Promise<{ url: string; process: HttpProcess }> {
  const bin = findCerbos();
  if (bin === undefined) throw new Error(`${PACKAGE} is not installed`);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cerbos-'));
  for (const [name, text] of Object.entries(policies)) writeFileSync(join(dir, name), text);
  const [http, grpc] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${http}`;
  // biome-ignore format: one option per line
  const process = await HttpProcess.start({
    command: bin,
    args: [
      'server',
      '--log-level=warn',
      '--set=storage.driver=disk',
      `--set=storage.disk.directory=${dir}`,
      `--set=server.httpListenAddr=127.0.0.1:${http}`,
      `--set=server.grpcListenAddr=127.0.0.1:${grpc}`,
      '--set=telemetry.disabled=true',
    ],
    env: { CERBOS_NO_TELEMETRY: '1' },
    readyUrl: `${url}/.well-known/authzen-configuration`,
  });
  return { url, process };
}
