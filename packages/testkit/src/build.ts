/** The repository's root, and the built packages that child-process tests run. */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';

/**
 * The repository root (the same from `src/` and from `dist/`).
 *
 * @example
 * ```ts
 * const bin = join(REPO_ROOT, 'packages/cli/dist/bin.js');
 * ```
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const PACKAGES = {
  client: { dir: join(REPO_ROOT, 'packages/client'), output: 'dist/index.js', name: '@gatehouse/client' },
  cli: { dir: join(REPO_ROOT, 'packages/cli'), output: 'dist/bin.js', name: '@gatehouse/cli' },
} as const;

/** A package whose built output child-process tests run. */
export type BuiltPackage = keyof typeof PACKAGES;

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function isFresh(name: BuiltPackage): Promise<boolean> {
  const pkg = PACKAGES[name];
  const built = await stat(join(pkg.dir, pkg.output)).catch(() => undefined);
  return !!built && built.mtimeMs >= (await newestSource(join(pkg.dir, 'src')));
}

/**
 * Child-process tests run the built packages (`node packages/cli/dist/bin.js`). `npm test` builds first;
 * when a test file runs on its own against stale output, this rebuilds once (test files run in parallel,
 * so the build is done under a lock and re-checked after taking it).
 *
 * @example
 * ```ts
 * beforeAll(() => ensureBuilt(['client']));
 * ```
 */
export async function ensureBuilt(names: BuiltPackage[] = ['client', 'cli']): Promise<void> {
  const fresh = async () => (await Promise.all(names.map(isFresh))).every(Boolean);
  if (await fresh()) return;
  const release = await lockfile.lock(join(REPO_ROOT, 'packages/cli'), {
    lockfilePath: join(REPO_ROOT, 'node_modules/.gatehouse-test-build.lock'),
    retries: { retries: 600, minTimeout: 100, maxTimeout: 200 },
    stale: 120_000,
    realpath: false,
  });
  try {
    if (await fresh()) return;
    const filters = names.flatMap((n) => ['--filter', PACKAGES[n].name]);
    const args = ['--no-install', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'];
    await promisify(execFile)('npx', args, {
      cwd: REPO_ROOT,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`The build failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
  } finally {
    await release();
  }
}
