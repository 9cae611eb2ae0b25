import type { AuditLogger } from '../audit.js';
import { ConfigError } from '../errors.js';
import type { FailedAuthLimitOptions } from '../limits/failed-auth.js';
import type { RateLimitOptions } from '../limits/rate-limiter.js';
import { AdminPolicy } from '../policy/admins.js';
import type { AuthProvider } from '../provider.js';
import { ApiKeyAuthProvider, type ApiKeyEntry } from '../providers/api-key.js';
import { DevelopmentAuthProvider } from '../providers/development.js';
import { IntrospectionAuthProvider } from '../providers/introspection.js';
import { MultiAuthProvider } from '../providers/multi.js';
import { OidcAuthProvider, type OidcProviderOptions } from '../providers/oidc.js';
import { runtimeEnvironment } from './env.js';
import { type OidcSettings, validateAdmins, validateApiKeys, validateOidcOptions } from './validate.js';
import { isValidated, markValidated } from './validated.js';

/**
 * Everything a Gatehouse-protected service is configured with: the programmatic (camelCase) form of the
 * `GATEHOUSE_*` variables. {@link loadConfigFromEnv} produces one.
 */
export interface GatehouseConfig {
  readonly apiKeys?: readonly ApiKeyEntry[];
  readonly oidc?: Omit<OidcProviderOptions, 'admins' | 'now' | 'logger'>;
  /** Subjects or emails with admin rights. */
  readonly admins?: readonly string[];
  /** Development only: every request passes as an anonymous identity. Refused in production. */
  readonly disableAuth?: boolean;
  /** `production` forbids `disableAuth`. Default: `NODE_ENV`, or `development` when unset. */
  readonly environment?: string;
  /**
   * The origin (and optional path prefix) clients use to reach the service, e.g.
   * `https://api.example.com`: DPoP proofs name it in `htu` (`GATEHOUSE_PUBLIC_URL`).
   */
  readonly publicUrl?: string;
  /**
   * The header in which a trusted TLS-terminating proxy forwards the client certificate, for
   * certificate-bound tokens (RFC 8705; `GATEHOUSE_CLIENT_CERT_HEADER`). Unset: the TLS connection's own.
   */
  readonly clientCertificateHeader?: string;
  /**
   * `GATEHOUSE_REDIS_URL`: where the instances share their state. Core never connects to it: give the
   * gate a `state` from `@gatehouse/redis` (`createRedisState({ url: config.redisUrl })`).
   */
  readonly redisUrl?: string;
  /** `GATEHOUSE_RATE_LIMIT`: requests per identity per fixed window, over every instance. */
  readonly rateLimit?: RateLimitOptions;
  /** `GATEHOUSE_FAILED_AUTH_LIMIT`: failed authentications per client address per fixed window. */
  readonly failedAuthLimit?: FailedAuthLimitOptions;
  /** `GATEHOUSE_TRUST_PROXY=1`: the client address is the last `X-Forwarded-For` hop. */
  readonly trustProxy?: boolean;
}

/** Runtime collaborators of the providers {@link createAuthProvider} builds. */
export interface CreateProviderOptions {
  readonly logger?: AuditLogger;
  /** Current time in milliseconds (for tests). */
  readonly now?: () => number;
}

/**
 * Builds the provider a configuration describes: API keys first (the cheap check), then OIDC, behind a
 * {@link MultiAuthProvider} when both are set; the development provider, with a loud warning, when auth
 * is disabled. Fails closed with a {@link ConfigError} on an empty or invalid configuration.
 *
 * @example
 * ```ts
 * const provider = createAuthProvider({
 *   apiKeys: [{ name: 'legacy-exporter', key: process.env.EXPORTER_KEY! }],
 *   oidc: { issuers: [{ issuer: 'https://login.example.com', audience: 'telemetry-api' }] },
 *   admins: ['alice@example.com'],
 * });
 * ```
 */
export function createAuthProvider(
  config: GatehouseConfig,
  options: CreateProviderOptions = {},
): AuthProvider {
  if (config.disableAuth) {
    if ((config.environment ?? runtimeEnvironment()) === 'production') {
      throw new ConfigError('invalid_config', 'is refused when the environment is production', {
        field: 'disableAuth',
      });
    }
    const message =
      'AUTHENTICATION IS DISABLED: every request passes as an anonymous admin. Development only.';
    options.logger?.warn({ event: 'gatehouse.config.auth_disabled' }, message);
    console.warn(`\n${'!'.repeat(80)}\n  GATEHOUSE: ${message}\n${'!'.repeat(80)}\n`);
    return new DevelopmentAuthProvider();
  }
  const admins = new AdminPolicy(
    config.admins === undefined ? [] : validateAdmins(config.admins, { prefix: 'admins' }),
  );
  const providers: AuthProvider[] = [];
  let oidcSettings: OidcSettings | undefined;
  // Each part is validated once: here for programmatic options, or already by loadConfigFromEnv.
  if (config.apiKeys !== undefined) {
    const keys = isValidated(config.apiKeys)
      ? config.apiKeys
      : validateApiKeys(config.apiKeys, { prefix: 'apiKeys' });
    providers.push(new ApiKeyAuthProvider(markValidated({ keys, admins })));
  }
  if (config.oidc !== undefined) {
    const settings = isValidated(config.oidc)
      ? (config.oidc as OidcSettings)
      : validateOidcOptions(config.oidc, { prefix: 'oidc.' });
    const oidc = settings;
    oidcSettings = settings;
    providers.push(
      new OidcAuthProvider(markValidated({ ...settings, admins, logger: options.logger, now: options.now })),
    );
    // Opaque tokens go last: API keys and JWTs are claimed before, so they are never sent out.
    const introspected = oidc.issuers.find((entry) => entry.introspection !== undefined);
    if (introspected?.introspection !== undefined) {
      const audiences = oidc.issuers
        .filter((entry) => entry.issuer === introspected.issuer)
        .flatMap((entry) => (typeof entry.audience === 'string' ? [entry.audience] : entry.audience));
      const { clientId, clientSecret, endpoint } = introspected.introspection;
      providers.push(
        new IntrospectionAuthProvider({
          issuer: introspected.issuer,
          audience: audiences,
          client: { clientId, clientSecret },
          endpoint,
          tokenCacheSize: oidc.tokenCacheSize,
          tokenCacheTtlSecs: oidc.tokenCacheTtlSecs,
          clockToleranceSecs: oidc.clockToleranceSecs,
          httpTimeoutMs: oidc.httpTimeoutMs,
          maxResponseBytes: oidc.maxResponseBytes,
          admins,
          logger: options.logger,
          now: options.now,
        }),
      );
    }
  }
  if (providers.length === 0) {
    throw new ConfigError(
      'missing_config',
      'no credentials are configured: set apiKeys and/or oidc (or disableAuth for development)',
    );
  }
  const provider = providers.length === 1 ? providers[0]! : new MultiAuthProvider(providers);
  // A gate given this provider (as the example apps do) applies the same configuration's DPoP modes,
  // nonces, public URL and certificate header.
  BUILT_FROM.set(provider, {
    oidc: oidcSettings,
    publicUrl: config.publicUrl,
    clientCertificateHeader: config.clientCertificateHeader,
  });
  return provider;
}

const BUILT_FROM = new WeakMap<AuthProvider, GatehouseConfig>();

/** The configuration a provider was built from by {@link createAuthProvider}, if it was. @internal */
export function configOf(provider: AuthProvider): GatehouseConfig | undefined {
  return BUILT_FROM.get(provider);
}
