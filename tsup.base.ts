import { defineConfig, type Options } from 'tsup';

/**
 * The build every published package shares: ES modules and CommonJS, declarations and source maps, for
 * Node 20 (the fetch-API packages' output runs unchanged on Bun, Deno and workerd). A package names what
 * differs: its entries, and anything else it needs.
 *
 * @example
 * // packages/<name>/tsup.config.ts
 * import { packageBuild } from '../../tsup.base.js';
 * export default packageBuild({ entry: ['src/index.ts', 'src/ws.ts'] });
 */
export function packageBuild(options: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...options,
  });
}
