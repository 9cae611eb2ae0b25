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
  // The CommonJS build defines both as undefined (tsup.config.ts): `import.meta` is ES module syntax.
  const url: string | undefined = import.meta.url;
  const resolve = import.meta.resolve as ((specifier: string) => string) | undefined;
  if (typeof resolve === 'function' && url !== undefined && proc?.getBuiltinModule) {
    let resolved: string;
    try {
      // Called on import.meta itself: Bun's resolve needs its `this` (a detached call throws there).
      resolved = import.meta.resolve(name);
    } catch {
      return undefined;
    }
    const { createRequire } = proc.getBuiltinModule('node:module') as NodeModule;
    const { fileURLToPath } = proc.getBuiltinModule('node:url') as NodeUrl;
    return createRequire(url)(resolved.startsWith('file:') ? fileURLToPath(resolved) : resolved);
  }
  const load =
    typeof require === 'function'
      ? require
      : url !== undefined && proc?.getBuiltinModule
        ? (proc.getBuiltinModule('node:module') as NodeModule).createRequire(url)
        : undefined;
  if (load === undefined) return undefined;
  try {
    return load(name);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}
