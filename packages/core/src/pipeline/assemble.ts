import { configOf, createAuthProvider, type GatehouseConfig } from '../config/create.js';
import { DEFAULTS } from '../config/defaults.js';
import { loadConfigFromEnv } from '../config/env.js';
import { validateFailedAuthLimit, validateRateLimit } from '../config/shared.js';
import { validateOidcOptions } from '../config/validate.js';
import { isValidated } from '../config/validated.js';
import { ConfigError } from '../errors.js';
import { publicPathMatcher } from '../http/public-paths.js';
import { FailedAuthThrottle } from '../limits/failed-auth.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { EMPTY_INSIGHT, type ProviderInsight } from '../observability/insight.js';
import { DecisionRecorder } from '../observability/metrics.js';
import { Readiness, type ReadinessProbe } from '../observability/readiness.js';
import type { AuthProvider } from '../provider.js';
import { ApiKeyAuthProvider } from '../providers/api-key.js';
import { MultiAuthProvider } from '../providers/multi.js';
import { OidcAuthProvider } from '../providers/oidc.js';
import { BackchannelLogout } from '../revocation/backchannel-logout.js';
import { RevocationRoutes } from '../revocation/http-api.js';
import { Revocations } from '../revocation/revocations.js';
import { SenderConstraints } from '../sender/constraint.js';
import { MemoryState } from '../state/memory-state.js';
import type { SharedState } from '../state/shared-state.js';
import type { GatehouseOptions } from './options.js';

/** Everything a {@link Gatehouse} runs with, built once from its options. @internal */
export interface PipelineParts {
  readonly provider: AuthProvider;
  readonly realm: string;
  readonly maxTokenLength: number;
  readonly isPublic: (path: string) => boolean;
  readonly hasPublicPaths: boolean;
  readonly state: SharedState;
  readonly revocations: Revocations;
  readonly revocationRoutes: RevocationRoutes;
  readonly limiter: RateLimiter | undefined;
  readonly throttle: FailedAuthThrottle | undefined;
  readonly trustProxy: boolean;
  readonly senders: SenderConstraints | undefined;
  /** Which schemes `Authorization` may use: `DPoP` too when a token may be DPoP-bound. */
  readonly schemes: { readonly dpop: boolean };
  readonly dpopChallenge: { readonly algs: readonly string[] } | undefined;
  readonly metrics: DecisionRecorder;
  readonly readiness: Readiness;
}

/**
 * Builds every part of the pipeline from the options, validating each once and failing closed with a
 * `ConfigError` that names the field: the provider (given, configured, or from the environment), the
 * shared state and what runs on it (revocations, limits, the failed-auth throttle), the sender
 * constraints (DPoP, certificates), metrics and readiness. @internal
 */
export function assemble(options: GatehouseOptions): PipelineParts {
  const { provider, config } = providerFor(options);
  const maxTokenLength = options.maxTokenLength ?? DEFAULTS.maxTokenLength;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 16) {
    throw new ConfigError('invalid_config', 'must be an integer of at least 16', { field: 'maxTokenLength' });
  }
  if (options.redisUrl !== undefined && options.state === undefined) {
    throw new ConfigError(
      'invalid_config',
      'needs a state that connects to it: createRedisState({ url }) from @gatehouse/redis',
      { field: 'redisUrl' },
    );
  }
  const state = options.state ?? new MemoryState();
  const tolerance = options.oidc?.clockToleranceSecs ?? DEFAULTS.clockToleranceSecs;
  const revocations = new Revocations(state.revocations, {
    clockToleranceSecs: tolerance,
    ...options.revocation,
  });
  const oidc = findOidc(provider);
  const logout =
    oidc === undefined
      ? undefined
      : new BackchannelLogout(
          revocations,
          oidc,
          { clockToleranceSecs: tolerance, ...options.backchannelLogout },
          state.oneTimeIds,
        );
  const senders = provider.anonymousContext === undefined ? sendersFor(options, config, state) : undefined;
  // DPoP is on where a token may use it: any configured issuer not `disabled`, or a given provider that
  // takes tokens (anything but API keys).
  const dpop =
    senders !== undefined &&
    (config === undefined
      ? takesTokens(provider)
      : (config.oidc?.issuers.some((entry) => (entry.dpop ?? DEFAULTS.dpop) !== 'disabled') ?? false));
  const { metrics, readiness } = observe(options, provider, state);
  return {
    provider,
    realm: options.realm ?? DEFAULTS.realm,
    maxTokenLength,
    isPublic: publicPathMatcher(options.publicPaths),
    hasPublicPaths: (options.publicPaths?.length ?? 0) > 0,
    state,
    revocations,
    revocationRoutes: new RevocationRoutes(revocations, logout),
    limiter:
      options.rateLimit &&
      new RateLimiter(validateRateLimit(options.rateLimit, { prefix: 'rateLimit.' }), state.counters),
    throttle:
      options.failedAuthLimit &&
      new FailedAuthThrottle(
        validateFailedAuthLimit(options.failedAuthLimit, { prefix: 'failedAuthLimit.' }),
        state.counters,
        state.bus,
      ),
    trustProxy: options.trustProxy === true,
    senders,
    schemes: Object.freeze({ dpop }),
    dpopChallenge: dpop ? Object.freeze({ algs: senders!.dpopAlgorithms }) : undefined,
    metrics,
    readiness,
  };
}

// Metrics (from what the provider reports of itself) and readiness: the issuers' keys, and the shared
// store when one was given (Redis must answer for the instance to be ready).
function observe(
  options: GatehouseOptions,
  provider: AuthProvider,
  state: SharedState,
): { metrics: DecisionRecorder; readiness: Readiness } {
  const insight = (): ProviderInsight => provider.insight?.() ?? EMPTY_INSIGHT;
  const known = insight();
  const metrics = new DecisionRecorder({
    ...options.observability,
    issuers: [...(known.issuers ?? []), ...known.keySets.map((keySet) => keySet.issuer)],
    insight,
  });
  metrics.observeRevocations({ count: () => state.revocations.inForce.size });
  const stateProbe: ReadinessProbe[] =
    options.state === undefined ? [] : [{ component: state.kind, isReady: () => state.isReachable() }];
  const readiness = new Readiness({
    keySets: () => insight().keySets,
    probes: [...stateProbe, ...(options.readiness?.probes ?? [])],
    retryIntervalMs: options.readiness?.retryIntervalMs,
  });
  return { metrics, readiness };
}

// The OIDC provider behind the configured one (if any): back-channel logout verifies with its keys.
function findOidc(provider: AuthProvider): OidcAuthProvider | undefined {
  if (provider instanceof OidcAuthProvider) return provider;
  if (provider instanceof MultiAuthProvider) {
    for (const inner of provider.providers) {
      const found = findOidc(inner);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

// The provider: the one given, or built from the configuration in the options, or from the environment;
// with the configuration it came from (undefined for a given provider).
function providerFor(options: GatehouseOptions): { provider: AuthProvider; config?: GatehouseConfig } {
  const configured =
    options.apiKeys !== undefined || options.oidc !== undefined || options.disableAuth !== undefined;
  if (options.provider !== undefined) {
    if (configured) {
      throw new ConfigError(
        'invalid_config',
        'give either a provider or apiKeys / oidc / disableAuth, not both',
        { field: 'provider' },
      );
    }
    return { provider: options.provider, config: configOf(options.provider) };
  }
  if (configured) {
    const config = options.oidc === undefined ? options : { ...options, oidc: validOidc(options.oidc) };
    return { provider: createAuthProvider(config, { logger: options.logger }), config };
  }
  if (options.admins !== undefined) {
    throw new ConfigError(
      'missing_config',
      'is set but no credentials are: give apiKeys and/or oidc with it, or configure everything through GATEHOUSE_* variables',
      { field: 'admins' },
    );
  }
  const config = loadConfigFromEnv();
  return { provider: createAuthProvider(config, { logger: options.logger }), config };
}

// Programmatic OIDC options validated once here (createAuthProvider then trusts them), so that the
// per-issuer DPoP modes are read from checked settings.
function validOidc(oidc: NonNullable<GatehouseConfig['oidc']>): NonNullable<GatehouseConfig['oidc']> {
  return isValidated(oidc) ? oidc : validateOidcOptions(oidc, { prefix: 'oidc.' });
}

// Step 6's checker, from the same configuration: per-issuer DPoP modes, nonces, the public URL.
function sendersFor(
  options: GatehouseOptions,
  config: GatehouseConfig | undefined,
  state: SharedState,
): SenderConstraints {
  const oidc = config?.oidc;
  const dpopModes: Record<string, NonNullable<OidcIssuerEntry['dpop']>> = {};
  for (const entry of oidc?.issuers ?? []) dpopModes[entry.issuer] = entry.dpop ?? DEFAULTS.dpop;
  const publicUrl = options.publicUrl ?? config?.publicUrl;
  const clientCertificateHeader = options.clientCertificateHeader ?? config?.clientCertificateHeader;
  const nonceSecret = oidc?.dpopNonceSecret;
  try {
    return new SenderConstraints({
      dpopModes,
      publicUrl,
      clientCertificateHeader,
      nonces:
        nonceSecret === undefined
          ? undefined
          : { secret: nonceSecret, rotationSecs: oidc?.dpopNonceRotationSecs },
      // The state's one-time ids, the only memory of proof ids: a shared store makes a replayed proof
      // fail on every instance; the in-process store answers synchronously.
      oneTimeIds: state.oneTimeIds,
      logger: options.logger,
    });
  } catch (err) {
    // The options were checked where they entered; what is left is a programmatic publicUrl or header.
    throw new ConfigError('invalid_config', err instanceof Error ? err.message : String(err), {
      field: 'publicUrl',
    });
  }
}

type OidcIssuerEntry = NonNullable<GatehouseConfig['oidc']>['issuers'][number];

// Whether a provider may accept tokens (and so DPoP-bound ones): false only for API keys alone.
function takesTokens(provider: AuthProvider): boolean {
  if (provider instanceof MultiAuthProvider) return provider.providers.some(takesTokens);
  return !(provider instanceof ApiKeyAuthProvider);
}
