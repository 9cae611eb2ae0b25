// oidc-provider ships no types for its internal modules; this is the one the dev IdP imports.
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { AdapterFactory } from 'oidc-provider';

  /** A factory of in-memory adapters sharing one store (one per call). */
  export function createMemoryAdapter(clockTolerance?: number): AdapterFactory;
}
