/** The example AuthZEN PDP (apps/authzen-pdp) as a real process on a free loopback port, for these tests. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, HttpProcess } from '@gatehouse/testkit';

export const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Starts the PDP (building it first when its dist is missing); `env` sets its policies and PIP. */
export async function startPdp(
  env: Record<string, string> = {},
): Promise<{ url: string; process: HttpProcess }> {
  const main = root('apps/authzen-pdp/dist/main.js');
  if (!existsSync(main)) execFileSync('npx', ['tsc', '-p', root('apps/authzen-pdp/tsconfig.build.json')]);
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
