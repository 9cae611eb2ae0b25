import type { AuditLogger } from '../audit.js';
import type { Authorizer } from '../authz/authorizer.js';
import { buildAuthorizer } from '../authz/create.js';
import { DEFAULTS } from '../config/defaults.js';
import type { GatehouseConfig, ResolvedConfig } from '../config/options.js';
import { resolveConfig } from '../config/resolve.js';
import { ConfigError } from '../errors.js';
import { publicPathMatcher } from '../http/public-paths.js';
import { FailedAuthThrottle } from '../limits/failed-auth.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { EMPTY_INSIGHT } from '../observability/insight.js';
import { DecisionRecorder } from '../observability/metrics.js';
import { Readiness, type ReadinessProbe } from '../observability/readiness.js';
import type { AuthProvider } from '../provider.js';
import {
  challengeMetadataUrl,
  protectedResourceMetadata,
  type ResourceMetadata,
} from '../resource/metadata-document.js';
import { BackchannelLogout } from '../revocation/backchannel-logout.js';
import { Revocations } from '../revocation/revocations.js';
import { SenderConstraints } from '../sender/constraint.js';
import type { SharedState } from '../state/shared-state.js';
import type { GatehouseOptions } from './options.js';
import { buildProviders } from './providers.js';
import { stateFor } from './shared-state.js';

/** Everything a {@link Gatehouse} runs with, built once from its resolved configuration. @internal */
export interface PipelineParts {
  readonly config: ResolvedConfig;
  /** The clock tolerance on `exp`, `iat` and `nbf` (seconds): also the grace of connections past `exp`. */
  readonly clockToleranceSecs: number;
  readonly provider: AuthProvider;
  readonly isPublic: (path: string) => boolean;
  readonly hasPublicPaths: boolean;
  readonly state: SharedState;
  /** Whether the gate created its state (and so closes it). */
  readonly ownsState: boolean;
  readonly revocations: Revocations;
  readonly logout: BackchannelLogout | undefined;
  readonly limiter: RateLimiter | undefined;
  readonly throttle: FailedAuthThrottle | undefined;
  readonly senders: SenderConstraints | undefined;
  /** Which schemes `Authorization` may use: `DPoP` too when a token may be DPoP-bound. */
  readonly schemes: { readonly dpop: boolean };
  readonly dpopChallenge: { readonly algs: readonly string[] } | undefined;
  readonly metrics: DecisionRecorder;
  readonly readiness: Readiness;
  /** The protected resource metadata and the URL challenges name, when a resource is configured. */
  readonly resourceMetadata: ResourceMetadata | undefined;
  /** The authorization step's backend (`authz`), when one is configured. */
  readonly authorizer: Authorizer | undefined;
}

/**
 * Resolves the configuration once (options field by field, then the `GATEHOUSE_*` environment) and builds
 * every part of the pipeline from that one object: the provider (given, or the configured credentials),
 * the shared state (given, Redis when configured, else memory) and what runs on it (revocations,
 * back-channel logout, the rate limit, the failed-auth throttle), the sender constraints (DPoP,
 * certificates), metrics, readiness and the authorization backend. Fails closed with a `ConfigError` naming the field or variable.
 * @internal
 */
export function assemble(options: GatehouseOptions): PipelineParts {
  const config = resolveConfig(options);
  const logger = options.logger;
  const built = options.provider === undefined ? buildProviders(config, { logger }) : undefined;
  const provider = options.provider ?? built!.provider;
  const metrics = recorderFor(options, config, provider);
  // Policies are read and checked (and the Cedar engine loaded, synchronously) before any connection
  // starts: a bad one stops start-up naming the variable (or option) and file, with nothing to close, and
  // the engine's load stalls no connection under way.
  const authzSource = config.sources.authz;
  const authorizer =
    config.authz &&
    buildAuthorizer(config.authz, {
      source: authzSource === 'options' ? { field: 'authz' } : { variable: authzSource },
      logger,
      recorder: metrics,
    });
  let shared: ReturnType<typeof stateFor>;
  try {
    shared = stateFor(config, options.state, logger);
  } catch (err) {
    authorizer?.close();
    throw err;
  }
  const { state, owned } = shared;
  const tolerance = config.oidc?.clockToleranceSecs ?? DEFAULTS.clockToleranceSecs;
  const revocations = new Revocations(state.revocations, {
    clockToleranceSecs: tolerance,
    ...config.revocation,
  });
  const oidc = built?.oidc;
  const logout =
    oidc === undefined
      ? undefined
      : new BackchannelLogout(
          revocations,
          oidc,
          { clockToleranceSecs: tolerance, ...config.backchannelLogout },
          state.oneTimeIds,
        );
  const senders = provider.anonymousContext === undefined ? sendersFor(config, state, logger) : undefined;
  // DPoP is on where a token may use it: any configured issuer not `disabled`, or a given provider that
  // may take tokens (one that says nothing of itself, or reports issuers or key sets).
  const given = options.provider?.insight?.();
  const dpop =
    senders !== undefined &&
    (options.provider !== undefined
      ? given === undefined || (given.issuers?.length ?? 0) > 0 || given.keySets.length > 0
      : (config.oidc?.issuers.some((entry) => (entry.dpop ?? DEFAULTS.dpop) !== 'disabled') ?? false));
  const readiness = readinessFor(options, provider, state, metrics);
  const dpopChallenge = dpop ? Object.freeze({ algs: senders!.dpopAlgorithms }) : undefined;
  return {
    config,
    clockToleranceSecs: tolerance,
    provider,
    isPublic: publicPathMatcher(config.publicPaths),
    hasPublicPaths: config.publicPaths.length > 0,
    state,
    ownsState: owned,
    revocations,
    logout,
    limiter: config.rateLimit && new RateLimiter(config.rateLimit, state.counters),
    throttle:
      config.failedAuthLimit && new FailedAuthThrottle(config.failedAuthLimit, state.counters, state.bus),
    senders,
    schemes: Object.freeze({ dpop }),
    dpopChallenge,
    metrics,
    readiness,
    resourceMetadata: resourceMetadataOf(config, given?.issuers, dpopChallenge?.algs),
    authorizer,
  };
}

// Metrics, from what the provider reports of itself (the duration histogram kept in the recorder when
// the gate serves /metrics).
function recorderFor(
  options: GatehouseOptions,
  config: ResolvedConfig,
  provider: AuthProvider,
): DecisionRecorder {
  const known = provider.insight?.() ?? EMPTY_INSIGHT;
  return new DecisionRecorder({
    ...options.observability,
    issuers: [...(known.issuers ?? []), ...known.keySets.map((keySet) => keySet.issuer)],
    insight: () => provider.insight?.() ?? EMPTY_INSIGHT,
    histogram: config.routes?.metrics !== undefined,
  });
}

// Readiness: the issuers' keys, and the shared store unless it is this process's memory (Redis must
// answer for the instance to be ready); the revocations in force, counted for the metrics.
function readinessFor(
  options: GatehouseOptions,
  provider: AuthProvider,
  state: SharedState,
  metrics: DecisionRecorder,
): Readiness {
  metrics.observeRevocations({ count: () => state.revocations.inForce.size });
  const stateProbe: ReadinessProbe[] =
    state.kind === 'memory' ? [] : [{ component: state.kind, isReady: () => state.isReachable() }];
  return new Readiness({
    keySets: () => (provider.insight?.() ?? EMPTY_INSIGHT).keySets,
    probes: [...stateProbe, ...(options.readiness?.probes ?? [])],
    retryIntervalMs: options.readiness?.retryIntervalMs,
  });
}

// The resource's metadata, from the same configuration: the configured issuers (or those a given provider
// reports), the DPoP algorithms when DPoP is on (required when every issuer requires it), certificate
// binding when a proxy forwards client certificates.
function resourceMetadataOf(
  config: ResolvedConfig,
  givenIssuers: readonly string[] | undefined,
  dpopAlgorithms: readonly string[] | undefined,
): ResourceMetadata | undefined {
  const resource = config.resource;
  if (resource === undefined) return undefined;
  const issuers = config.oidc?.issuers ?? [];
  const document = protectedResourceMetadata(resource, {
    issuers: givenIssuers ?? issuers.map((entry) => entry.issuer),
    dpopAlgorithms,
    dpopRequired: issuers.length > 0 && issuers.every((entry) => entry.dpop === 'required'),
    certificateBound: config.clientCertificateHeader !== undefined,
  });
  return Object.freeze({ url: challengeMetadataUrl(resource.resource, config.publicUrl), document });
}

// Step 6's checker, from the same configuration: per-issuer DPoP modes, nonces, the public URL.
function sendersFor(
  config: ResolvedConfig,
  state: SharedState,
  logger: AuditLogger | undefined,
): SenderConstraints {
  const oidc = config.oidc;
  const dpopModes: Record<
    string,
    NonNullable<NonNullable<GatehouseConfig['oidc']>['issuers'][number]['dpop']>
  > = {};
  for (const entry of oidc?.issuers ?? []) dpopModes[entry.issuer] = entry.dpop ?? DEFAULTS.dpop;
  const nonceSecret = oidc?.dpopNonceSecret;
  try {
    return new SenderConstraints({
      dpopModes,
      publicUrl: config.publicUrl,
      clientCertificateHeader: config.clientCertificateHeader,
      nonces:
        nonceSecret === undefined
          ? undefined
          : { secret: nonceSecret, rotationSecs: oidc?.dpopNonceRotationSecs },
      // The state's one-time ids, the only memory of proof ids: a shared store makes a replayed proof
      // fail on every instance; the in-process store answers synchronously.
      oneTimeIds: state.oneTimeIds,
      logger,
    });
  } catch (err) {
    // Everything was validated when the configuration was resolved; this is a bug, not a user's mistake.
    throw new ConfigError('invalid_config', err instanceof Error ? err.message : String(err));
  }
}
