import type { AuditLogger } from '../audit.js';
import type { GatehouseConfig } from '../config/options.js';
import type { ObservabilityOptions } from '../observability/metrics.js';
import type { ReadinessProbe } from '../observability/readiness.js';
import type { AuthProvider } from '../provider.js';
import type { SharedState } from '../state/shared-state.js';

/**
 * Options of {@link createGatehouse} and of every adapter: the configuration (`apiKeys`, `oidc`, `admins`,
 * `routes`, … in camelCase; the `GATEHOUSE_*` variables fill in what is left out, unless `env: false`),
 * plus the collaborators only code can give.
 */
export interface GatehouseOptions extends GatehouseConfig {
  /** Who validates credentials, instead of `apiKeys` / `oidc` (which may then not be configured at all). */
  readonly provider?: AuthProvider;
  /** Receives accept and reject audit events (pino-compatible), one per decision. Silent by default. */
  readonly logger?: AuditLogger;
  /**
   * What the instances share: revocations, rate-limit and failed-authentication counters, one-time ids.
   * Default: created from `redisUrl` / `GATEHOUSE_REDIS_URL` with `@gatehouse/redis` when one is set,
   * else this process's memory. A state given here wins (and the gate does not close it).
   */
  readonly state?: SharedState;
  /**
   * Metrics and tracing through `@opentelemetry/api`: which `MeterProvider` (default: the global one when
   * the gate is built), and whether the subject goes on the active span as `enduser.id` (default no).
   */
  readonly observability?: ObservabilityOptions;
  /**
   * What `/ready` waits for besides the issuers' keys (and the shared state, e.g. Redis): more components,
   * and how often issuers without keys are retried (ms, at most 10,000; default 5000).
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
