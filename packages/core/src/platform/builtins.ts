// Node's built-in modules are loaded through `process.getBuiltinModule` (Node >= 20.16, Bun, Deno, and
// workerd with `nodejs_compat`), never through an `import` statement: a static `import 'node:crypto'`
// makes the whole package fail to load (or to bundle) where the module does not exist, e.g. on
// Cloudflare workerd without `nodejs_compat`. The call is synchronous, made once per module when core is
// loaded, and invisible to bundlers; where it is missing, core runs on Web APIs (see ./README in the
// package: WebCrypto for signatures, a small JavaScript SHA-256 for the synchronous digests).

type GetBuiltinModule = (id: string) => unknown;

const host = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process;

/** A Node built-in module, or undefined where the runtime has none (or refuses it). @internal */
export function nodeBuiltin<T>(id: string): T | undefined {
  const load = host?.getBuiltinModule;
  if (typeof load !== 'function') return undefined;
  try {
    return (load.call(host, id) as T | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

/** `node:crypto`, where the runtime has it. @internal */
export const nodeCrypto = nodeBuiltin<typeof import('node:crypto')>('node:crypto');

/** Node's `Buffer`, where the runtime has it (faster than the Web encoders for base64 and UTF-8). @internal */
export const NodeBuffer: typeof Buffer | undefined =
  nodeBuiltin<typeof import('node:buffer')>('node:buffer')?.Buffer ??
  (globalThis as { Buffer?: typeof Buffer }).Buffer;
