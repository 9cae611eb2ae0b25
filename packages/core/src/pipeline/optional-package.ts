/**
 * Loads an optional peer dependency synchronously at start-up (so that a missing one stops start-up at
 * once, naming it): in the ES module build through `import.meta.resolve` (the package's `import` entry)
 * and `require(esm)` (Node ≥ 20.19, Bun, Deno), so that it shares this copy of core; in the CommonJS
 * build through `require`. Undefined when the package is not installed.
 */
declare const require: ((id: string) => unknown) | undefined;

interface NodeModule {
  createRequire(from: string): (id: string) => unknown;
}

interface NodeUrl {
  fileURLToPath(url: string): string;
}

/** @internal */
export function loadOptionalPackage(name: string): unknown {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const meta = import.meta as { url?: string; resolve?: (specifier: string) => string };
  if (typeof meta.resolve === 'function' && meta.url !== undefined && proc?.getBuiltinModule) {
    let resolved: string;
    try {
      resolved = meta.resolve(name);
    } catch {
      return undefined;
    }
    const { createRequire } = proc.getBuiltinModule('node:module') as NodeModule;
    const { fileURLToPath } = proc.getBuiltinModule('node:url') as NodeUrl;
    return createRequire(meta.url)(resolved.startsWith('file:') ? fileURLToPath(resolved) : resolved);
  }
  const load =
    typeof require === 'function'
      ? require
      : meta.url !== undefined && proc?.getBuiltinModule
        ? (proc.getBuiltinModule('node:module') as NodeModule).createRequire(meta.url)
        : undefined;
  if (load === undefined) return undefined;
  try {
    return load(name);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}
