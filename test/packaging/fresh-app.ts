/**
 * A fresh app, as a user makes one: Gatehouse's packed tarballs and the user's own framework versions,
 * installed with npm into a temporary folder. Shared by the packaging tests.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Versions the user installs next to Gatehouse: the same ones the workspace is tested with. */
export const USER_DEPENDENCIES = {
  express: '5.3.0',
  hono: '4.13.23',
  '@hono/node-server': '2.1.11',
  fastify: '5.12.8',
  koa: '3.3.0',
  '@koa/router': '15.7.0',
  '@nestjs/common': '12.5.1',
  '@nestjs/core': '12.5.1',
  '@nestjs/platform-express': '12.5.1',
  'reflect-metadata': '0.2.2',
  rxjs: '7.8.2',
  typescript: '5.9.3',
  '@types/express': '5.0.6',
  '@types/koa': '3.0.3',
  '@types/node': '20.19.43',
};

export const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });

/** Whether these packages are built (npm test builds first). */
export const isBuilt = (packages: readonly string[]) =>
  packages.every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js')));

/** Packs `packages`, copies `fixture` into a new app folder and installs everything. */
export function installFreshApp(
  packages: readonly string[],
  fixture: string,
): { dir: string; app: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'));
  const tarballs: Record<string, string> = {};
  for (const name of packages) {
    const out = npm(['pack', '--json', '--pack-destination', dir], join(root, 'packages', name));
    const { filename } = (JSON.parse(out) as { filename: string }[])[0]!;
    tarballs[`@gatehouse/${name}`] = `file:${join(dir, filename)}`;
  }
  const app = join(dir, 'app');
  cpSync(join(root, fixture), app, { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'gatehouse-consumer',
      private: true,
      dependencies: { ...tarballs, ...USER_DEPENDENCIES },
    }),
  );
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], app);
  return { dir, app, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
