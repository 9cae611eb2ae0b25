/**
 * The example AuthZEN PDP (apps/authzen-pdp: Cedar inside) as a real process on a free loopback port, for
 * the tests, the bench and the demo.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './build.js';
import { HttpProcess } from './http-process.js';
import { freePort } from './ports.js';

const inRepository = (path: string) => join(REPO_ROOT, path);

/**
 * The example PDP's ownership policies (admins read everything, anyone else what it sent), for
 * `AUTHZEN_POLICIES`.
 *
 * @example
 * ```ts
 * const pdp = await startAuthzenPdp({ AUTHZEN_POLICIES: OWNERSHIP_POLICIES });
 * ```
 */
export const OWNERSHIP_POLICIES = inRepository('apps/authzen-pdp/fixtures/ownership/policies.cedar');

/**
 * Starts the example PDP (building it first when its dist is missing) and resolves once its metadata
 * answers; `env` sets its policies (`AUTHZEN_POLICIES`) and PIP (`AUTHZEN_ENTITIES`); default: the
 * AuthZEN interop Todo scenario. `url` is its PDP identifier.
 *
 * @example
 * ```ts
 * const { url, process } = await startAuthzenPdp({ AUTHZEN_POLICIES: OWNERSHIP_POLICIES });
 * await process.stop();
 * ```
 */
export async function startAuthzenPdp(
  env: Readonly<Record<string, string>> = {},
): Promise<{ url: string; process: HttpProcess }> {
  const main = inRepository('apps/authzen-pdp/dist/main.js');
  if (!existsSync(main)) {
    execFileSync('npx', ['tsc', '-p', inRepository('apps/authzen-pdp/tsconfig.build.json')]);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process_ = await HttpProcess.start({
    command: process.execPath,
    args: [main],
    env: { ...env, PORT: String(port) },
    readyUrl: `${url}/.well-known/authzen-configuration`,
  });
  return { url, process: process_ };
}
