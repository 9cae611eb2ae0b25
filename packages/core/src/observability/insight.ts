/**
 * What providers show of their internals to metrics and readiness. Everything here is read when a
 * metrics scrape or a readiness check happens, never per request: the objects that own the events count
 * them in plain integers, which costs the hot path one increment.
 */

/**
 * The state of one issuer's signing keys.
 *
 * @example
 * ```ts
 * for (const keys of provider.insight?.().keySets ?? []) {
 *   console.error(keys.issuer, keys.loaded ? `keys ${keys.ageSecs()} s old` : 'no keys yet');
 * }
 * ```
 */
export interface ObservedKeySet {
  /** The configured issuer (a label value: it comes from configuration, never from a token). */
  readonly issuer: string;
  /** Whether a key set was ever loaded (keys keep serving while later refreshes fail). */
  readonly loaded: boolean;
  /** Completed key-set fetches since start, by result. */
  readonly fetches: { readonly success: number; readonly failure: number };
  /** Seconds since the keys were last loaded, or undefined while none ever loaded. */
  ageSecs(): number | undefined;
  /** Fetches the key set now (sharing a fetch in flight); rejects when the issuer cannot be reached. */
  refresh(): Promise<void>;
  /** The fetch in flight, if any (started by a request, a refresh or a retry). */
  readonly pending?: Promise<void> | undefined;
}

/**
 * Lookups of a validated-token cache since start.
 *
 * @example
 * ```ts
 * const [cache] = provider.insight?.().tokenCaches ?? [];
 * if (cache) console.error(`hit ratio ${cache.hits / Math.max(1, cache.hits + cache.misses)}`);
 * ```
 */
export interface ObservedTokenCache {
  readonly hits: number;
  readonly misses: number;
}

/**
 * Everything a provider exposes to `gatehouse_jwks_*`, `gatehouse_token_cache_total` and `/ready`. A
 * `MultiAuthProvider` concatenates its providers'.
 *
 * @example
 * ```ts
 * const insight: ProviderInsight = provider.insight?.() ?? EMPTY_INSIGHT;
 * const missing = insight.keySets.filter((k) => !k.loaded).map((k) => k.issuer);
 * ```
 */
export interface ProviderInsight {
  readonly keySets: readonly ObservedKeySet[];
  readonly tokenCaches: readonly ObservedTokenCache[];
  /**
   * Every issuer an identity or a refusal of this provider may name (aliases and trusted tenants
   * included), fixed by configuration: the only issuer label values besides the key sets' own.
   */
  readonly issuers?: readonly string[];
}

/**
 * The insight of a provider that has neither key sets nor caches.
 *
 * @example
 * ```ts
 * const insight = provider.insight?.() ?? EMPTY_INSIGHT;
 * ```
 */
export const EMPTY_INSIGHT: ProviderInsight = Object.freeze({
  keySets: Object.freeze([]),
  tokenCaches: Object.freeze([]),
});
