import type { AuditLogger } from '../audit.js';
import { configOf, createAuthProvider, type GatehouseConfig } from '../config/create.js';
import { DEFAULTS } from '../config/defaults.js';
import { loadConfigFromEnv } from '../config/env.js';
import { validateFailedAuthLimit, validateRateLimit } from '../config/shared.js';
import { validateOidcOptions } from '../config/validate.js';
import { isValidated } from '../config/validated.js';
import type { AuthContext } from '../context.js';
import { type AuthError, ConfigError, isAuthError } from '../errors.js';
import { type Credential, parseAuthorization } from '../http/bearer.js';
import { type PublicPath, publicPathMatcher } from '../http/public-paths.js';
import { type AuthErrorResponse, authErrorResponse } from '../http/response.js';
import { FailedAuthThrottle } from '../limits/failed-auth.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { EMPTY_INSIGHT, type ProviderInsight } from '../observability/insight.js';
import { DecisionRecorder, type ObservabilityOptions } from '../observability/metrics.js';
import { Readiness, type ReadinessProbe, type ReadinessReport } from '../observability/readiness.js';
import { type AuthRequirement, checkRequirement } from '../policy/requirement.js';
import { type AuthProvider, isPending, resolveToken } from '../provider.js';
import { ApiKeyAuthProvider } from '../providers/api-key.js';
import { MultiAuthProvider } from '../providers/multi.js';
import { OidcAuthProvider } from '../providers/oidc.js';
import { BackchannelLogout, type BackchannelLogoutOptions } from '../revocation/backchannel-logout.js';
import { RevocationRoutes } from '../revocation/http-api.js';
import { type RevocationOptions, Revocations } from '../revocation/revocations.js';
import { SenderConstraints, type SenderHeaders } from '../sender/constraint.js';
import { MemoryState } from '../state/memory-state.js';
import type { SharedState } from '../state/shared-state.js';
import { clientAddress } from './client-address.js';
import type { Admission, Decision, Refusal, Route, RoutePolicy } from './decision.js';
import { type RequestView, requestView } from './request.js';

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

const NO_IDENTITY: Admission = Object.freeze({ admitted: true, auth: undefined, headers: undefined });

/**
 * The request pipeline every adapter runs: public path → credential parsed once → the provider that
 * claims it (synchronous when no I/O is needed) → requirement → the decision, with audit events and one
 * error-to-response table. Built once per application; `handle()` runs once per request.
 *
 * @example
 * ```ts
 * const gate = createGatehouse({ apiKeys: [{ name: 'svc', key: process.env.SVC_KEY! }], publicPaths: ['/health'] });
 * const admins = gate.route({ admin: true });
 * const decision = await gate.handle(new NodeRequestView(req), admins);
 * ```
 */
export class Gatehouse {
  readonly provider: AuthProvider;
  readonly realm: string;
  /** Whether a request path skips authentication. */
  readonly isPublic: (path: string) => boolean;
  private readonly maxTokenLength: number;
  private readonly logger: AuditLogger | undefined;
  private readonly hasPublicPaths: boolean;
  /** What the instances share (the in-process store unless one was given). */
  readonly state: SharedState;
  /** Revocations: made, lifted and listed here, checked on every request from memory. */
  readonly revocations: Revocations;
  /** The contract's revocation and back-channel logout routes, for the apps to map. */
  readonly revocationRoutes: RevocationRoutes;
  private readonly limiter: RateLimiter | undefined;
  private readonly throttle: FailedAuthThrottle | undefined;
  private readonly trustProxy: boolean;
  /** Counts and times every decision (`gatehouse_*` metrics) and annotates the active span. */
  readonly metrics: DecisionRecorder;
  /** Whether every issuer's keys are loaded and every component answers; what `/ready` reports. */
  readonly readiness: Readiness;
  /** Step 6: the sender constraints of tokens (DPoP proofs, certificate binding); none with auth disabled. */
  readonly senders: SenderConstraints | undefined;
  /** Which schemes `Authorization` may use: `DPoP` too when a token may be DPoP-bound. */
  private readonly schemes: { readonly dpop: boolean };
  private readonly dpopChallenge: { readonly algs: readonly string[] } | undefined;

  constructor(options: GatehouseOptions = {}) {
    this.logger = options.logger;
    const { provider, config } = providerFor(options);
    this.provider = provider;
    this.realm = options.realm ?? DEFAULTS.realm;
    this.maxTokenLength = options.maxTokenLength ?? DEFAULTS.maxTokenLength;
    if (!Number.isInteger(this.maxTokenLength) || this.maxTokenLength < 16) {
      throw new ConfigError('invalid_config', 'must be an integer of at least 16', {
        field: 'maxTokenLength',
      });
    }
    this.isPublic = publicPathMatcher(options.publicPaths);
    this.hasPublicPaths = (options.publicPaths?.length ?? 0) > 0;
    if (options.redisUrl !== undefined && options.state === undefined) {
      throw new ConfigError(
        'invalid_config',
        'needs a state that connects to it: createRedisState({ url }) from @gatehouse/redis',
        { field: 'redisUrl' },
      );
    }
    this.state = options.state ?? new MemoryState();
    const tolerance = options.oidc?.clockToleranceSecs ?? DEFAULTS.clockToleranceSecs;
    this.revocations = new Revocations(this.state, { clockToleranceSecs: tolerance, ...options.revocation });
    const oidc = findOidc(this.provider);
    const logout =
      oidc === undefined
        ? undefined
        : new BackchannelLogout(this.revocations, oidc, {
            clockToleranceSecs: tolerance,
            ...options.backchannelLogout,
          });
    this.revocationRoutes = new RevocationRoutes(this.revocations, logout);
    this.limiter =
      options.rateLimit &&
      new RateLimiter(validateRateLimit(options.rateLimit, { prefix: 'rateLimit.' }), this.state);
    this.throttle =
      options.failedAuthLimit &&
      new FailedAuthThrottle(
        validateFailedAuthLimit(options.failedAuthLimit, { prefix: 'failedAuthLimit.' }),
        this.state,
      );
    this.trustProxy = options.trustProxy === true;
    this.senders =
      provider.anonymousContext === undefined ? sendersFor(options, config, this.state) : undefined;
    // DPoP is on where a token may use it: any configured issuer not `disabled`, or a given provider that
    // takes tokens (anything but API keys).
    const dpop =
      this.senders !== undefined &&
      (config === undefined
        ? takesTokens(provider)
        : (config.oidc?.issuers.some((entry) => (entry.dpop ?? DEFAULTS.dpop) !== 'disabled') ?? false));
    this.schemes = Object.freeze({ dpop });
    this.dpopChallenge = dpop ? Object.freeze({ algs: this.senders!.dpopAlgorithms }) : undefined;
    const insight = (): ProviderInsight => provider.insight?.() ?? EMPTY_INSIGHT;
    const known = insight();
    this.metrics = new DecisionRecorder({
      ...options.observability,
      issuers: [...(known.issuers ?? []), ...known.keySets.map((keySet) => keySet.issuer)],
      insight,
    });
    const state = this.state;
    this.metrics.observeRevocations({ count: () => state.revocations.size });
    // A shared store that was given (Redis) must answer for the instance to be ready.
    const stateProbe: ReadinessProbe[] =
      options.state === undefined ? [] : [{ component: state.kind, isReady: () => state.isReachable() }];
    this.readiness = new Readiness({
      keySets: () => insight().keySets,
      probes: [...stateProbe, ...(options.readiness?.probes ?? [])],
      retryIntervalMs: options.readiness?.retryIntervalMs,
    });
  }

  /**
   * Compiles a route's policy once. `publicPaths: true` is for the main middleware: the gate's public
   * paths then skip it.
   */
  route(policy: RoutePolicy = {}, options: { readonly publicPaths?: boolean } = {}): Route {
    const { optional, ...requirement } = policy;
    const demanding = requirement.admin === true || (requirement.scopes?.length ?? 0) > 0;
    return Object.freeze({
      optional: optional === true,
      publicPaths: options.publicPaths === true && this.hasPublicPaths,
      requirement: demanding
        ? Object.freeze({ ...requirement, scopes: requirement.scopes && [...requirement.scopes] })
        : undefined,
    });
  }

  /**
   * Decides one request: synchronously whenever no I/O is needed (a known API key or cached token, a
   * signature checked with keys in memory, any refusal of the request's shape), as a promise otherwise.
   * `prior` is the identity an earlier Gatehouse step already established for this request: only the
   * route's requirement is then checked. Never rejects for client input; a rejection is a bug.
   */
  handle(view: RequestView, route: Route, prior?: AuthContext): Decision | Promise<Decision> {
    // 2. an identity an earlier step established (checked and recorded): the requirement only.
    if (prior !== undefined) return this.recheck(prior, route);
    if (route.publicPaths && this.isPublic(view.path)) return NO_IDENTITY;
    if (!this.metrics.timed) return this.steps(view, route);
    // 10. the time the decision took (the counts are taken where each decision is logged).
    const startedAt = this.metrics.start();
    const decision = this.steps(view, route);
    if (isPending(decision)) {
      return decision.then((d) => {
        if (d !== NO_IDENTITY) this.metrics.timeSince(startedAt);
        return d;
      });
    }
    if (decision !== NO_IDENTITY) this.metrics.timeSince(startedAt);
    return decision;
  }

  private steps(view: RequestView, route: Route): Decision | Promise<Decision> {
    if (this.throttle === undefined) return this.decide(view, route);
    // 3. an address blocked after too many failed authentications: 429, whatever it sends now.
    const address = clientAddress(view, this.trustProxy);
    const blocked = this.throttle.check(address);
    if (blocked !== undefined) return this.refuse(blocked);
    const decision = this.decide(view, route);
    return isPending(decision)
      ? decision.then((d) => this.countFailure(d, view, address))
      : this.countFailure(decision, view, address);
  }

  // 10. a 401 for presented credentials counts against the client address (on every instance). The
  // refusal waits for the shared count: a failure is not the hot path, and the next request from that
  // address, wherever it lands, then finds the address blocked.
  private countFailure(
    decision: Decision,
    view: RequestView,
    address: string | undefined,
  ): Decision | Promise<Decision> {
    if (decision.admitted || decision.status !== 401 || view.authorization === undefined) return decision;
    if (decision.error.code === 'missing_credentials') return decision;
    return this.throttle!.recordFailure(address).then(() => decision);
  }

  private decide(view: RequestView, route: Route): Decision | Promise<Decision> {
    const anonymous = this.provider.anonymousContext;
    if (anonymous !== undefined) return this.admit(anonymous, route);

    const authorization = view.authorization;
    if (authorization === undefined && route.optional) return NO_IDENTITY;
    let credential: Credential | undefined;
    let result: AuthContext | Promise<AuthContext>;
    try {
      credential = parseAuthorization(authorization, this.maxTokenLength, this.schemes);
      result = resolveToken(this.provider, credential.token);
    } catch (err) {
      return this.refuse(err, undefined, credential);
    }
    if (isPending(result)) {
      const known = credential;
      return result.then(
        (auth) => this.constrain(auth, route, known, view),
        (err: unknown) => this.refuse(err, undefined, known),
      );
    }
    return this.constrain(result, route, credential, view);
  }

  // 6. on every request (a cached token too): the token's sender constraint (DPoP proof, certificate).
  private constrain(
    auth: AuthContext,
    route: Route,
    credential: Credential,
    view: RequestView,
  ): Decision | Promise<Decision> {
    const senders = this.senders;
    if (senders === undefined) return this.admit(auth, route);
    let headers: SenderHeaders | Promise<SenderHeaders>;
    try {
      headers = senders.check(auth, credential, view);
    } catch (err) {
      return this.refuse(err, auth, credential);
    }
    if (isPending(headers)) {
      return headers.then(
        (added) => this.admit(auth, route, added, credential),
        (err: unknown) => this.refuse(err, auth, credential),
      );
    }
    return this.admit(auth, route, headers, credential);
  }

  /**
   * Authenticates an `Authorization` header value outside any framework (see `authorizationHeader` for a
   * Node request's). Resolves to the identity; with `optional`, to undefined when no credentials were sent
   * (bad credentials still reject). Rejects with an {@link AuthError}.
   *
   * @example
   * ```ts
   * const auth = await gate.authenticate(authorizationHeader(req.rawHeaders));
   * ```
   */
  authenticate(authorization: string | readonly string[] | undefined): Promise<AuthContext>;
  authenticate(
    authorization: string | readonly string[] | undefined,
    options: { optional: true },
  ): Promise<AuthContext | undefined>;
  async authenticate(
    authorization: string | readonly string[] | undefined,
    options?: { optional?: boolean },
  ): Promise<AuthContext | undefined> {
    const route = options?.optional ? OPTIONAL_ROUTE : REQUIRED_ROUTE;
    const decision = await this.handle(requestView({ authorization }), route);
    if (!decision.admitted) throw decision.error;
    return decision.auth;
  }

  /** The 403 error for an identity that fails `requirement`, or undefined when it passes. */
  authorize(auth: AuthContext, requirement: AuthRequirement): AuthError | undefined {
    const denied = checkRequirement(auth, requirement);
    if (denied) this.record(denied, auth);
    return denied;
  }

  /** The response for an error; non-{@link AuthError}s are not client errors and yield undefined. */
  respond(err: unknown): AuthErrorResponse | undefined {
    return isAuthError(err) ? this.response(err) : undefined;
  }

  /**
   * Fetches every issuer's keys that are not loaded yet, and from then on retries the issuers that failed
   * in the background (at least every 10 s). Call it at start-up; `/ready` turns 200 once keys are loaded.
   * Never rejects: what is still missing is in the report it resolves with.
   *
   * @example
   * ```ts
   * void gate.warmUp().then((r) => r.ready || console.error('waiting for', r.missing));
   * ```
   */
  warmUp(): Promise<ReadinessReport> {
    return this.readiness.warmUp();
  }

  /**
   * Whether this instance is ready (every issuer's keys loaded, the shared store and every other component
   * answering), from memory.
   *
   * @example
   * ```ts
   * const { status, body } = readinessAnswer(gate.ready());
   * ```
   */
  ready(): ReadinessReport {
    return this.readiness.report();
  }

  /** Stops the background retries and the metrics of this gate (for tests and graceful shutdowns). */
  close(): void {
    this.readiness.close();
    this.metrics.close();
  }

  private admit(
    auth: AuthContext,
    route: Route,
    headers?: SenderHeaders,
    credential?: Credential,
  ): Decision | Promise<Decision> {
    // 7. revoked (by jti, subject, session or API key name): a Map lookup, also for cached tokens.
    if (this.state.revocations.size > 0) {
      const revoked = this.revocations.check(auth);
      if (revoked !== undefined) return this.refuse(revoked, auth, credential);
    }
    // 8. the identity's rate limit: from leased quota in memory.
    if (this.limiter !== undefined && auth.authType !== 'anonymous') {
      const verdict = this.limiter.check(auth);
      if (verdict instanceof Promise) {
        return verdict.then((limited) =>
          limited ? this.refuse(limited, auth, credential) : this.require(auth, route, headers, credential),
        );
      }
      if (verdict !== undefined) return this.refuse(verdict, auth, credential);
    }
    return this.require(auth, route, headers, credential);
  }

  // 9. the route's requirement (admin, scopes); 10. one record of the decision (metrics, span, audit line).
  private require(
    auth: AuthContext,
    route: Route,
    headers?: SenderHeaders,
    credential?: Credential,
  ): Decision {
    const requirement = route.requirement;
    if (requirement !== undefined) {
      const denied = checkRequirement(auth, requirement);
      if (denied !== undefined) return this.refuse(denied, auth, credential);
    }
    this.metrics.accepted(auth);
    if (this.logger !== undefined) this.accepted(auth);
    return { admitted: true, auth, headers };
  }

  // An identity an earlier step admitted (and recorded): only this route's requirement is checked, and
  // only a refusal is a new decision to record.
  private recheck(auth: AuthContext, route: Route): Decision {
    const requirement = route.requirement;
    const startedAt = this.metrics.start();
    const denied = requirement && checkRequirement(auth, requirement);
    if (denied === undefined) return { admitted: true, auth, headers: undefined };
    const refusal = this.refuse(denied, auth);
    this.metrics.timeSince(startedAt);
    return refusal;
  }

  private refuse(err: unknown, auth?: AuthContext, credential?: Credential): Refusal {
    // Anything but an AuthError is a bug, not an answer: it reaches the framework's error handling.
    if (!isAuthError(err)) throw err;
    this.record(err, auth);
    const { status, headers, body } = this.response(err, credential?.scheme);
    return { admitted: false, error: err, status, headers, body };
  }

  private record(err: AuthError, auth: AuthContext | undefined): void {
    this.metrics.refused(err, auth);
    this.rejected(err, auth);
  }

  // The one error table, with the DPoP challenge where DPoP is on and a fresh nonce for DPoP failures.
  private response(err: AuthError, scheme?: Credential['scheme']): AuthErrorResponse {
    const dpop = this.dpopChallenge;
    if (dpop === undefined) return authErrorResponse(err, { realm: this.realm, scheme });
    const nonce = err.dpopError !== undefined ? this.senders?.currentNonce() : undefined;
    return authErrorResponse(err, {
      realm: this.realm,
      scheme,
      dpop: nonce === undefined ? dpop : { algs: dpop.algs, nonce },
    });
  }

  private accepted(auth: AuthContext): void {
    this.logger?.info(
      {
        event: 'gatehouse.auth.accepted',
        subject: auth.subject,
        email: auth.email,
        issuer: auth.issuer,
        authType: auth.authType,
        isAdmin: auth.isAdmin,
      },
      'request authenticated',
    );
  }

  private rejected(err: AuthError, auth?: AuthContext): void {
    if (this.logger === undefined) return;
    const {
      name: _name,
      message,
      stack: _stack,
      cause: _cause,
      final: _final,
      ...detail
    } = err as AuthError & { cause?: unknown };
    this.logger.warn(
      {
        ...detail,
        event: 'gatehouse.auth.rejected',
        code: err.code,
        status: err.status,
        description: message,
        subject: auth?.subject,
        cause: err.cause instanceof Error ? err.cause.message : undefined,
      },
      'request rejected',
    );
  }
}

const REQUIRED_ROUTE: Route = Object.freeze({ optional: false, publicPaths: false, requirement: undefined });
const OPTIONAL_ROUTE: Route = Object.freeze({ optional: true, publicPaths: false, requirement: undefined });

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
      // A shared store makes a replayed proof fail on every instance. The in-process store adds nothing to
      // the guard's own memory, and asking it would make every DPoP request wait for a promise.
      oneTimeIds:
        state.kind === 'memory'
          ? undefined
          : { claim: (id, ttlSecs) => state.claimOnce(DPOP_JTI_SCOPE, id, ttlSecs) },
      logger: options.logger,
    });
  } catch (err) {
    // The options were checked where they entered; what is left is a programmatic publicUrl or header.
    throw new ConfigError('invalid_config', err instanceof Error ? err.message : String(err), {
      field: 'publicUrl',
    });
  }
}

/** The scope of DPoP proof ids in the shared state's one-time ids. */
const DPOP_JTI_SCOPE = 'dpop-jti';

type OidcIssuerEntry = NonNullable<GatehouseConfig['oidc']>['issuers'][number];

// Whether a provider may accept tokens (and so DPoP-bound ones): false only for API keys alone.
function takesTokens(provider: AuthProvider): boolean {
  if (provider instanceof MultiAuthProvider) return provider.providers.some(takesTokens);
  return !(provider instanceof ApiKeyAuthProvider);
}

/**
 * Builds the {@link Gatehouse} request pipeline from options; with no credentials and no provider in
 * them, from the `GATEHOUSE_*` environment (failing closed when that is missing or malformed).
 *
 * @example
 * ```ts
 * const gate = createGatehouse({
 *   oidc: { issuers: [{ issuer: 'https://login.example.com', audience: 'telemetry-api' }] },
 *   apiKeys: [{ name: 'legacy-exporter', key: process.env.EXPORTER_KEY! }],
 *   admins: ['alice@example.com'],
 * });
 * ```
 */
export function createGatehouse(options: GatehouseOptions = {}): Gatehouse {
  return new Gatehouse(options);
}
