/**
 * The JavaScript runtimes the fetch-API packages are tested on, from the npm packages that ship their
 * binaries (`bun`, `deno`, `workerd`; pinned in this package). Each is found in the platform package npm
 * installed, whether or not the wrapper's install script ran; `GATEHOUSE_<NAME>_BIN` overrides.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A runtime binary the tests start. */
export type RuntimeName = 'node' | 'bun' | 'deno' | 'workerd';

const require = createRequire(import.meta.url);

// Where each package keeps its binary: the wrapper's own file (a real binary once its install script
// ran; a small placeholder before) and the platform package's.
const PLACES: Record<Exclude<RuntimeName, 'node'>, () => string[]> = {
  bun: () => [
    join(packageDir('bun'), 'bin', 'bun.exe'),
    join(packageDir(`@oven/bun-${process.platform}-${bunArch()}`), 'bin', 'bun'),
  ],
  deno: () => [
    join(packageDir('deno'), 'deno'),
    join(packageDir(`@deno/${process.platform}-${process.arch}-glibc`), 'deno'),
  ],
  workerd: () => [
    join(
      packageDir(`@cloudflare/workerd-${process.platform}-${process.arch === 'x64' ? '64' : process.arch}`),
      'bin',
      'workerd',
    ),
    join(packageDir('workerd'), 'bin', 'workerd'),
  ],
};

function bunArch(): string {
  return process.arch === 'arm64' ? 'aarch64' : process.arch;
}

function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return join('/nonexistent', name);
  }
}

// A binary, not the wrapper's placeholder script: executable and larger than a megabyte.
function isBinary(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).size > 1_000_000;
  } catch {
    return false;
  }
}

/**
 * The path of a runtime's binary, or undefined when it is not installed here.
 *
 * @example
 * ```ts
 * const bun = findRuntime('bun');
 * if (bun) spawn(bun, ['server.ts']);
 * ```
 */
export function findRuntime(name: RuntimeName): string | undefined {
  if (name === 'node') return process.execPath;
  const explicit = process.env[`GATEHOUSE_${name.toUpperCase()}_BIN`];
  if (explicit) return explicit;
  return PLACES[name]().find(isBinary);
}

/**
 * A runtime's version as it reports it (`bun --version`, …), proving the binary runs on this machine.
 *
 * @example
 * ```ts
 * console.error(runtimeVersion('deno')); // 'deno 2.9.6 (stable, release, x86_64-unknown-linux-gnu)'
 * ```
 */
export function runtimeVersion(name: RuntimeName): string | undefined {
  const bin = findRuntime(name);
  if (bin === undefined) return undefined;
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 }).split('\n')[0]!.trim();
  } catch {
    return undefined;
  }
}
