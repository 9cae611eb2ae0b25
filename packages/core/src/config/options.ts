/**
 * The configuration of a gate, in both of its forms: what users give ({@link GatehouseConfig}: options in
 * code, camelCase, each optional, the `GATEHOUSE_*` environment filling what they leave out) and what one
 * resolution makes of it ({@link ResolvedConfig}: every field validated once, defaults applied).
 */
import type { AuthzOptions } from '../authz/options.js';
import type { PublicPath } from '../http/public-paths.js';
import type { FailedAuthLimitOptions } from '../limits/failed-auth.js';
import type { RateLimitOptions } from '../limits/rate-limiter.js';
import type { ApiKeyEntry } from '../providers/api-key.js';
import type { OidcProviderOptions } from '../providers/oidc.js';
import type { ResolvedResource, ResourceOptions } from '../resource/resource-option.js';
import type { BackchannelLogoutOptions } from '../revocation/backchannel-logout.js';
import type { RevocationOptions } from '../revocation/revocations.js';
import type { ApiKeySettings, OidcSettings } from './validate.js';

/**
 * Environment variables by name: `process.env`, or a Cloudflare Worker's `env` bindings, where a variable
 * is text (a `vars` string, a secret) or, for a JSON variable, the value a JSON `vars` entry arrives as.
 */
export type EnvRecord = Readonly<Record<string, unknown>>;

/**
 * The routes the library serves itself (`routes: true`): each `true` (its default path), a path of your
 * choosing, or `false` (not served). `prefix` goes in front of every path.
 *
 * | route | default path | access |
 * |---|---|---|
 * | `ready` | `GET /ready` | public |
 * | `metrics` | `GET /metrics` | admins, or the `metrics:read` scope |
 * | `revocations` | `GET`, `POST /v1/admin/revocations`, `DELETE /v1/admin/revocations/{id}` | admins |
 * | `backchannelLogout` | `POST /v1/backchannel-logout` | public (the logout token is the credential) |
 * | `resourceMetadata` | `GET /.well-known/oauth-protected-resource` and its path-inserted form (RFC 9728 §3.1), when a `resource` is configured | public |
 *
 * `resourceMetadata` takes `true` or `false` only: RFC 9728 fixes its paths (from the resource
 * identifier), and `prefix` does not apply to them.
 */
export interface RoutesOptions {
  readonly prefix?: string;
  readonly ready?: boolean | string;
  readonly metrics?: boolean | string;
  readonly revocations?: boolean | string;
  readonly backchannelLogout?: boolean | string;
  readonly resourceMetadata?: boolean;
}

/**
 * Everything a gate is configured with: the programmatic (camelCase) form of the `GATEHOUSE_*` variables,
 * plus the settings that only code gives. Options given here win field by field; every variable fills
 * what they leave out (unless `env: false`).
 */
export interface GatehouseConfig {
  /** Pre-shared API keys (`GATEHOUSE_API_KEYS`). */
  readonly apiKeys?: readonly ApiKeyEntry[];
  /** Trusted OIDC issuers and token checks (`GATEHOUSE_OIDC_CONFIG`). */
  readonly oidc?: Omit<OidcProviderOptions, 'admins' | 'now' | 'logger'>;
  /** Subjects or emails with admin rights (`GATEHOUSE_ADMINS`). */
  readonly admins?: readonly string[];
  /** Development only: every request passes as an anonymous identity (`GATEHOUSE_DISABLE_AUTH`). Refused in production. */
  readonly disableAuth?: boolean;
  /** `production` forbids `disableAuth`. Default: `NODE_ENV`, or `development` when unset. */
  readonly environment?: string;
  /**
   * The origin (and optional path prefix) clients use to reach the service, e.g. `https://api.example.com`
   * (`GATEHOUSE_PUBLIC_URL`): DPoP proofs name it in `htu`. Default: `http://<HOST>:<PORT>` from the
   * environment when the service listens on one address and a fixed port, else each request's local address.
   */
  readonly publicUrl?: string;
  /**
   * The protected resource this service is (`GATEHOUSE_RESOURCE`): its identifier (an `https://` URL,
   * `http://` only on loopback), or the identifier with the optional RFC 9728 metadata fields. With it,
   * an issuer configured without `audience` accepts tokens whose `aud` names the resource (RFC 8707),
   * every 401 points to the resource's metadata (`resource_metadata`), and `routes` serve that metadata.
   */
  readonly resource?: string | ResourceOptions;
  /**
   * The header in which a trusted TLS-terminating proxy forwards the client certificate, for
   * certificate-bound tokens (`GATEHOUSE_CLIENT_CERT_HEADER`). Unset: the TLS connection's own.
   */
  readonly clientCertificateHeader?: string;
  /**
   * Where the instances share their state (`GATEHOUSE_REDIS_URL`). Without a `state` in the options, the
   * gate creates it with `@gatehouse/redis` (which must then be installed).
   */
  readonly redisUrl?: string;
  /**
   * The rest of the Redis connection, beside `redisUrl` (`GATEHOUSE_REDIS_CONFIG`): the sentinels' own
   * credentials, the key prefix, the replicas that acknowledge a revocation. Needs `redisUrl`.
   */
  readonly redis?: RedisSettings;
  /** Requests per identity per window, over every instance (`GATEHOUSE_RATE_LIMIT`). Unset: no limit. */
  readonly rateLimit?: RateLimitOptions;
  /** Failed authentications per client address per window (`GATEHOUSE_FAILED_AUTH_LIMIT`). Unset: no limit. */
  readonly failedAuthLimit?: FailedAuthLimitOptions;
  /** The client address is the last `X-Forwarded-For` hop (`GATEHOUSE_TRUST_PROXY=1`). Default false. */
  readonly trustProxy?: boolean;
  /**
   * The authorization step's decision backend (`GATEHOUSE_AUTHZ`): built-in rules, Cedar policy files, an
   * AuthZEN PDP, or a decision point of your own. Routes ask it with `authorize(action, resource)`.
   * Unset: no route may ask (one that does stops start-up).
   */
  readonly authz?: AuthzOptions;
  /** Realm of the `WWW-Authenticate` challenge. Default `gatehouse`. */
  readonly realm?: string;
  /** Longest bearer token accepted; longer headers get 400 before any work. Default 8192. */
  readonly maxTokenLength?: number;
  /** Paths that skip authentication entirely (e.g. `/health`). */
  readonly publicPaths?: readonly PublicPath[];
  /** The operational routes the adapter serves itself (see {@link RoutesOptions}); `true` serves them all. */
  readonly routes?: boolean | RoutesOptions;
  /** How long revocations last. */
  readonly revocation?: RevocationOptions;
  /** Back-channel logout: the client ids logout tokens must name, their maximum age. */
  readonly backchannelLogout?: BackchannelLogoutOptions;
  /**
   * Where the `GATEHOUSE_*` variables come from: `process.env` by default, a record of your own, or
   * `false` to read none. A Cloudflare Worker passes its `env` bindings object as it is (any object: a
   * generated `Env` interface has no index signature, and its other bindings are never read).
   */
  readonly env?: false | EnvRecord | object;
}

/**
 * The Redis settings that `redisUrl` cannot carry (`GATEHOUSE_REDIS_CONFIG`, snake_case there:
 * `sentinel_username`, `sentinel_password`, `key_prefix`, `replica_acks`, `replica_wait_ms`), passed to
 * `@gatehouse/redis`'s `createRedisState`.
 *
 * @example
 * ```ts
 * createGatehouse({
 *   redisUrl: 'redis+sentinel://gatehouse:secret@10.0.0.5:26379,10.0.0.6:26379/mymaster',
 *   redis: { sentinelPassword: process.env.SENTINEL_PASSWORD, keyPrefix: 'billing:' },
 * });
 * ```
 */
export interface RedisSettings {
  /** The sentinels' own user (Sentinel ACL), for a `redis+sentinel://` URL (the URL's are the data nodes'). */
  readonly sentinelUsername?: string;
  /** The sentinels' own password (`requirepass` on the sentinels), for a `redis+sentinel://` URL. */
  readonly sentinelPassword?: string;
  /** Prefix of every key and channel, so that several services can share one Redis. Default `gatehouse:`. */
  readonly keyPrefix?: string;
  /** Replicas that must have a revocation before it is acknowledged. Default 1 on a cluster or Sentinel, 0 on one server. */
  readonly replicaAcks?: number;
  /** How long to wait for them, in milliseconds. Default 500. */
  readonly replicaWaitMs?: number;
}

/** The operational routes to serve, by full path (`undefined`: not served). */
export interface ResolvedRoutes {
  readonly ready: string | undefined;
  readonly metrics: string | undefined;
  readonly revocations: string | undefined;
  readonly backchannelLogout: string | undefined;
  /** The paths of the protected resource metadata (RFC 9728), when a resource is configured. */
  readonly resourceMetadata: readonly string[] | undefined;
}

/**
 * A configuration after its one resolution ({@link resolveConfig}): options and environment merged,
 * every field validated, defaults applied. The whole pipeline is assembled from it.
 */
export interface ResolvedConfig {
  readonly apiKeys: readonly ApiKeySettings[] | undefined;
  readonly oidc: OidcSettings | undefined;
  readonly admins: readonly string[];
  readonly disableAuth: boolean;
  readonly environment: string;
  readonly publicUrl: string | undefined;
  readonly resource: ResolvedResource | undefined;
  readonly clientCertificateHeader: string | undefined;
  readonly redisUrl: string | undefined;
  readonly redis: RedisSettings | undefined;
  readonly rateLimit: RateLimitOptions | undefined;
  readonly failedAuthLimit: FailedAuthLimitOptions | undefined;
  readonly trustProxy: boolean;
  /** The authorization backend; undefined when none is configured. */
  readonly authz: AuthzOptions | undefined;
  readonly realm: string;
  readonly maxTokenLength: number;
  readonly publicPaths: readonly PublicPath[];
  /** The operational routes; undefined when none is served. */
  readonly routes: ResolvedRoutes | undefined;
  readonly revocation: RevocationOptions;
  readonly backchannelLogout: BackchannelLogoutOptions;
  /**
   * Where each field given came from: `options`, or the variable's name. What start-up messages and
   * configuration errors name.
   */
  readonly sources: Readonly<Partial<Record<ConfigField, string>>>;
}

/** The fields of a configuration that options or the environment can set. */
export type ConfigField =
  | 'apiKeys'
  | 'oidc'
  | 'admins'
  | 'disableAuth'
  | 'environment'
  | 'publicUrl'
  | 'resource'
  | 'clientCertificateHeader'
  | 'redisUrl'
  | 'redis'
  | 'rateLimit'
  | 'failedAuthLimit'
  | 'trustProxy'
  | 'authz';
