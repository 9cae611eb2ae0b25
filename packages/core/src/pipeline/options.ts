import type { AuditLogger } from '../audit.js';
import type { GatehouseConfig } from '../config/create.js';
import type { PublicPath } from '../http/public-paths.js';
import type { ObservabilityOptions } from '../observability/metrics.js';
import type { ReadinessProbe } from '../observability/readiness.js';
import type { AuthProvider } from '../provider.js';
import type { BackchannelLogoutOptions } from '../revocation/backchannel-logout.js';
import type { RevocationOptions } from '../revocation/revocations.js';
import type { SharedState } from '../state/shared-state.js';

/**
 * Options of {@link createGatehouse} and of every adapter: the configuration (`apiKeys`, `oidc`, `admins`,
 * … exactly as the `GATEHOUSE_*` variables give it, in camelCase), or a ready `provider`, plus how the
 * gate answers. With neither credentials nor a provider, everything comes from the environment.
 */
export interface GatehouseOptions extends GatehouseConfig {
  /** Who validates credentials, instead of `apiKeys` / `oidc`. */
  readonly provider?: AuthProvider;
  /** Realm of the `WWW-Authenticate` challenge. Default `gatehouse`. */
  readonly realm?: string;
  /** Longest bearer token accepted; longer headers get 400 before any work. Default 8192. */
  readonly maxTokenLength?: number;
  /** Paths that skip authentication entirely (e.g. `/health`). */
  readonly publicPaths?: readonly PublicPath[];
  /** Receives accept and reject audit events (pino-compatible), one per decision. Silent by default. */
  readonly logger?: AuditLogger;
  /**
   * What the instances share: revocations, rate-limit and failed-authentication counters, one-time ids.
   * Default: a `MemoryState` (this process only); `createRedisState()` from `@gatehouse/redis` shares
   * it on Redis. Required when `redisUrl` is set.
   */
  readonly state?: SharedState;
  /** How long revocations last (see `RevocationOptions`). */
  readonly revocation?: RevocationOptions;
  /** Back-channel logout: the client ids logout tokens must name, their maximum age. */
  readonly backchannelLogout?: BackchannelLogoutOptions;
  /**
   * Metrics and tracing through `@opentelemetry/api`: which `MeterProvider` (default: the global one when
   * the gate is built), and whether the subject goes on the active span as `enduser.id` (default no).
   */
  readonly observability?: ObservabilityOptions;
  /**
   * What `/ready` waits for besides the issuers' keys (and the `state` given, e.g. Redis): more components,
   * and how often issuers without keys are retried once `warmUp()` ran (ms, at most 10,000; default 5000).
   */
  readonly readiness?: {
    readonly probes?: readonly ReadinessProbe[];
    readonly retryIntervalMs?: number;
  };
}

/** The options every framework adapter's factory takes: {@link GatehouseOptions} plus the main mode. */
export interface AdapterOptions extends GatehouseOptions {
  /**
   * `required` (default): no valid credentials, no entry. `optional`: requests without credentials pass
   * without an identity; bad credentials are still refused.
   */
  readonly mode?: 'required' | 'optional';
}
