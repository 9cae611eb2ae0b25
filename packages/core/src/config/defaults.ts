/**
 * Every default of Gatehouse, in one table: the values a setting takes when neither the options nor the
 * `GATEHOUSE_*` environment give one. Durations are in seconds unless the name says otherwise.
 *
 * @example
 * ```ts
 * console.error(`tokens are cached for at most ${DEFAULTS.tokenCacheTtlSecs} s`);
 * ```
 */
export const DEFAULTS = Object.freeze({
  /** The deployment environment when `NODE_ENV` (or `environment`) is unset; `production` forbids `disableAuth`. */
  environment: 'development',
  /** Realm of the `WWW-Authenticate` challenge. */
  realm: 'gatehouse',
  /** Longest bearer token accepted; longer headers get 400 before any work. */
  maxTokenLength: 8192,
  /** How old a key set may grow before it is re-fetched in the background. */
  jwksRefreshIntervalSecs: 3600,
  /** Minimum time between two key-set fetches of one issuer (e.g. for unknown `kid`s). */
  jwksCooldownSecs: 30,
  /** Validated tokens kept (LRU); 0 disables the cache. */
  tokenCacheSize: 1000,
  /** Longest a validated token stays cached (never past its `exp`); 0 disables the cache. */
  tokenCacheTtlSecs: 300,
  /** Clock skew tolerated on `exp`, `nbf` and `iat`. */
  clockToleranceSecs: 60,
  /** Timeout of discovery and key-set requests, in milliseconds. */
  httpTimeoutMs: 5000,
  /** Largest discovery, key-set or introspection response accepted, in bytes. */
  maxResponseBytes: 512 * 1024,
  /** DPoP issuer mode: bound tokens need the DPoP scheme; unbound ones may come either way. */
  dpop: 'allowed' as const,
  /** How old a DPoP proof's `iat` may be (RFC 9449 §4.3 check 11). */
  dpopProofMaxAgeSecs: 300,
  /** How far in the future a DPoP proof's `iat` may lie. */
  dpopProofFutureSecs: 60,
  /** How often the DPoP server nonce changes (when nonces are on). */
  dpopNonceRotationSecs: 60,
  /** DPoP proof ids each instance remembers by itself. */
  dpopReplayMaxEntries: 1_000_000,
  /** How long to wait for the shared replay store before deciding on local memory, in milliseconds. */
  dpopReplayStoreTimeoutMs: 1000,
  /** Longest a token can live: an admin revocation by `jti` or subject lasts this long (plus the tolerance). */
  revocationMaxTokenLifetimeSecs: 86_400,
  /** How old (by `iat`) a back-channel logout token may be. */
  logoutTokenMaxAgeSecs: 300,
  /** How often issuers whose keys never loaded are retried, in milliseconds (at most 10,000). */
  readinessRetryIntervalMs: 5000,
  /** Largest body an operational route (`routes: true`) reads, in bytes. */
  routeBodyMaxBytes: 16 * 1024,
});
