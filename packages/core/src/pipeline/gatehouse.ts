import type { AuditLogger } from '../audit.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { AuthzResource } from '../authz/types.js';
import type { ResolvedConfig } from '../config/options.js';
import { LiveConnections } from '../connections/live-connections.js';
import type { AuthContext } from '../context.js';
import { type AuthError, isAuthError } from '../errors.js';
import { type Credential, parseAuthorization } from '../http/bearer.js';
import { type AuthErrorResponse, authErrorResponse } from '../http/response.js';
import type { FailedAuthThrottle } from '../limits/failed-auth.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { DecisionRecorder } from '../observability/metrics.js';
import type { Readiness, ReadinessReport } from '../observability/readiness.js';
import { validateAuthenticationRequirement } from '../policy/authentication-context.js';
import { type AuthRequirement, checkRequirement } from '../policy/requirement.js';
import { type AuthProvider, isPending, resolveToken } from '../provider.js';
import type { ResourceMetadata } from '../resource/metadata-document.js';
import type { BackchannelLogout } from '../revocation/backchannel-logout.js';
import type { Revocations } from '../revocation/revocations.js';
import { OperationalRoutes } from '../routes/operational-routes.js';
import type { SenderConstraints, SenderHeaders } from '../sender/constraint.js';
import type { SharedState } from '../state/shared-state.js';
import { assemble } from './assemble.js';
import { logAccepted, logRejected } from './audit-lines.js';
import { AuthorizationStep } from './authorize-step.js';
import { clientAddress } from './client-address.js';
import type { Admission, Decision, Refusal, Route, RoutePolicy } from './decision.js';
import type { GatehouseOptions } from './options.js';
import { type RequestView, requestView } from './request.js';

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
  /** The configuration this gate was assembled from: options and environment, resolved once. */
  readonly config: ResolvedConfig;
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
  /** Back-channel logout (OpenID Connect Back-Channel Logout 1.0), when an OIDC issuer is configured. */
  readonly logout: BackchannelLogout | undefined;
  /**
   * The operational routes the adapter serves itself (`routes: true`: `/ready`, `/metrics`, revocations,
   * back-channel logout); undefined when none is configured.
   */
  readonly routes: OperationalRoutes | undefined;
  private readonly ownsState: boolean;
  private readonly limiter: RateLimiter | undefined;
  private readonly throttle: FailedAuthThrottle | undefined;
  private readonly trustProxy: boolean;
  /** Counts and times every decision (`gatehouse_*` metrics) and annotates the active span. */
  readonly metrics: DecisionRecorder;
  /** Whether every issuer's keys are loaded and every component answers; what `/ready` reports. */
  readonly readiness: Readiness;
  /**
   * The authorization step's decision backend (`authz` / `GATEHOUSE_AUTHZ`): what routes that
   * `authorize` ask, and {@link permitted} filters lists with. Undefined when none is configured.
   */
  readonly authorizer: Authorizer | undefined;
  private readonly authorization: AuthorizationStep;
  /**
   * The long-lived connections this gate accepted (WebSocket, Socket.IO, GraphQL over WebSocket, gRPC
   * streams), each closed when a revocation covers it or its token expires (past the clock tolerance).
   */
  readonly connections: LiveConnections;
  /** Step 6: the sender constraints of tokens (DPoP proofs, certificate binding); none with auth disabled. */
  readonly senders: SenderConstraints | undefined;
  /** Which schemes `Authorization` may use: `DPoP` too when a token may be DPoP-bound. */
  private readonly schemes: { readonly dpop: boolean };
  private readonly dpopChallenge: { readonly algs: readonly string[] } | undefined;
  /**
   * The protected resource metadata (RFC 9728) of the configured `resource`, and the URL every challenge
   * names in `resource_metadata`; undefined without a resource.
   */
  readonly resourceMetadata: ResourceMetadata | undefined;

  constructor(options: GatehouseOptions = {}) {
    const parts = assemble(options);
    this.config = parts.config;
    this.logger = options.logger;
    this.provider = parts.provider;
    this.realm = parts.config.realm;
    this.maxTokenLength = parts.config.maxTokenLength;
    this.isPublic = parts.isPublic;
    this.hasPublicPaths = parts.hasPublicPaths;
    this.state = parts.state;
    this.revocations = parts.revocations;
    this.logout = parts.logout;
    this.ownsState = parts.ownsState;
    this.limiter = parts.limiter;
    this.throttle = parts.throttle;
    this.trustProxy = parts.config.trustProxy;
    this.senders = parts.senders;
    this.schemes = parts.schemes;
    this.dpopChallenge = parts.dpopChallenge;
    this.resourceMetadata = parts.resourceMetadata;
    this.metrics = parts.metrics;
    this.readiness = parts.readiness;
    this.authorizer = parts.authorizer;
    this.authorization = new AuthorizationStep(parts.authorizer, parts.metrics, options.logger, (err, auth) =>
      this.refuse(err, auth),
    );
    this.connections = new LiveConnections(this, parts.clockToleranceSecs);
    const paths = parts.config.routes;
    this.routes =
      paths === undefined
        ? undefined
        : new OperationalRoutes(this, paths, parts.logout, parts.resourceMetadata?.document);
    // A service that serves /ready needs no start-up call: its keys start loading now (in the background,
    // with timers that never keep the process alive), so /ready turns 200 by itself.
    if (this.routes !== undefined) void this.warmUp();
  }

  /**
   * Compiles a route's policy once. `publicPaths: true` is for the main middleware: the gate's public
   * paths then skip it. A route that `authorize`s without a configured backend throws a `ConfigError`.
   */
  route<Input>(policy: RoutePolicy<Input> = {}, options: { readonly publicPaths?: boolean } = {}): Route {
    const { optional, authorize, ...requirement } = policy;
    validateAuthenticationRequirement(requirement);
    const demanding =
      requirement.admin === true ||
      (requirement.scopes?.length ?? 0) > 0 ||
      requirement.acr !== undefined ||
      requirement.maxAge !== undefined;
    return Object.freeze({
      optional: optional === true,
      publicPaths: options.publicPaths === true && this.hasPublicPaths,
      requirement: demanding
        ? Object.freeze({
            ...requirement,
            scopes: requirement.scopes && [...requirement.scopes],
            acr: requirement.acr && [...requirement.acr],
          })
        : undefined,
      authorize: authorize && this.authorization.compile(authorize as never, optional === true),
    });
  }

  /**
   * Decides one request: synchronously whenever no I/O is needed (a known API key or cached token, a
   * signature checked with keys in memory, any refusal of the request's shape), as a promise otherwise.
   * `prior` is the identity an earlier Gatehouse step already established for this request: only the
   * route's requirement (and authorization) is then checked. `input` is the framework's request, handed
   * to the route's `authorize` functions as it is. Never rejects for client input; a rejection is a bug
   * (or an `authorize` resource lookup that failed).
   */
  handle(
    view: RequestView,
    route: Route,
    prior?: AuthContext,
    input?: unknown,
  ): Decision | Promise<Decision> {
    // 2. an identity an earlier step established (checked and recorded): the requirement only.
    if (prior !== undefined) return this.recheck(prior, route, input);
    if (route.publicPaths && this.isPublic(view.path)) return NO_IDENTITY;
    if (!this.metrics.timed) return this.steps(view, route, input);
    // 10. the time the decision took (the counts are taken where each decision is logged).
    const startedAt = this.metrics.start();
    const decision = this.steps(view, route, input);
    if (isPending(decision)) {
      return decision.then((d) => {
        if (d !== NO_IDENTITY) this.metrics.timeSince(startedAt);
        return d;
      });
    }
    if (decision !== NO_IDENTITY) this.metrics.timeSince(startedAt);
    return decision;
  }

  private steps(view: RequestView, route: Route, input: unknown): Decision | Promise<Decision> {
    if (this.throttle === undefined) return this.identifyThenAuthorize(view, route, input);
    // 3. an address blocked after too many failed authentications: 429, whatever it sends now.
    const address = clientAddress(view, this.trustProxy);
    const blocked = this.throttle.check(address);
    if (blocked !== undefined) return this.refuse(blocked);
    const decision = this.identifyThenAuthorize(view, route, input);
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
    // No credentials, or a valid token whose login is too weak or old (a step-up): not a failed guess.
    const code = decision.error.code;
    if (code === 'missing_credentials' || code === 'insufficient_user_authentication') return decision;
    return this.throttle!.recordFailure(address).then(() => decision);
  }

  // 9b. the route's authorization step, once the identity passed its requirement.
  private identifyThenAuthorize(
    view: RequestView,
    route: Route,
    input: unknown,
  ): Decision | Promise<Decision> {
    const decision = this.decide(view, route);
    if (route.authorize === undefined) return decision;
    const step = route.authorize;
    const next = (d: Decision) =>
      d.admitted && d.auth ? this.authorization.afterAdmission(d, step, input) : d;
    return isPending(decision) ? decision.then(next) : next(decision);
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
      return this.refuse(err, undefined, credential, route);
    }
    if (isPending(result)) {
      const known = credential;
      return result.then(
        (auth) => this.constrain(auth, route, known, view),
        (err: unknown) => this.refuse(err, undefined, known, route),
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
      return this.refuse(err, auth, credential, route);
    }
    if (isPending(headers)) {
      return headers.then(
        (added) => this.admit(auth, route, added, credential),
        (err: unknown) => this.refuse(err, auth, credential, route),
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

  /**
   * List filtering: the resources `auth` may do `action` on, in their order, decided by the configured
   * backend in one batch (AuthZEN `evaluations`; cached answers reused). Synchronous when every answer is
   * cached or decided in process. Throws (or rejects with) `AuthzUnavailableError` when no decision could
   * be made (answer it with {@link respond}: 503), never a silently shorter list; a `ConfigError` when no
   * backend is configured.
   *
   * @example
   * ```ts
   * const owners = store.senders().map((owner) => ({ type: 'log', owner }));
   * const readable = await gate.permitted(authOf(req), 'read', owners);
   * ```
   */
  permitted<R extends AuthzResource>(
    auth: AuthContext,
    action: string,
    resources: readonly R[],
    context?: Readonly<Record<string, unknown>>,
  ): R[] | Promise<R[]> {
    return this.authorization.permitted(auth, action, resources, context);
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

  /**
   * The work this gate started that no request awaits (key sets loading or refreshing in the background):
   * a promise that settles, never rejecting, when what is in flight now has settled; undefined when
   * nothing is. On Node, Bun and Deno it needs no care. On Cloudflare workerd, which cancels a request's
   * unfinished I/O once it has answered, hand it to `ctx.waitUntil` (`@gatehouse/web` and
   * `@gatehouse/hono` do).
   *
   * @example
   * ```ts
   * const pending = gate.pendingWork();
   * if (pending !== undefined) ctx.waitUntil(pending);
   * ```
   */
  pendingWork(): Promise<void> | undefined {
    return this.readiness.pending();
  }

  /**
   * Closes this gate's long-lived connections (1001 `shutdown`), stops the background retries and the
   * metrics, and closes the shared state it created (Redis connections from `redisUrl`); a state given in
   * the options is left to its owner.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void gate.close().then(() => server.close()));
   * ```
   */
  close(): Promise<void> {
    this.connections.closeAll();
    this.readiness.close();
    this.metrics.close();
    this.authorizer?.close();
    return this.ownsState ? this.state.close() : Promise.resolve();
  }

  private admit(
    auth: AuthContext,
    route: Route,
    headers?: SenderHeaders,
    credential?: Credential,
  ): Decision | Promise<Decision> {
    // 7. revoked (by jti, subject, session or API key name): a Map lookup, also for cached tokens.
    if (this.revocations.size > 0) {
      const revoked = this.revocations.check(auth);
      if (revoked !== undefined) return this.refuse(revoked, auth, credential, route);
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
      if (denied !== undefined) return this.refuse(denied, auth, credential, route);
    }
    // With an authorization step the decision is recorded once that step has answered.
    if (route.authorize === undefined) {
      this.metrics.accepted(auth);
      if (this.logger !== undefined) logAccepted(this.logger, auth);
    }
    return { admitted: true, auth, headers };
  }

  // An identity an earlier step admitted (and recorded): only this route's requirement and authorization
  // are checked; a refusal is a new decision to record, an authorization its own audit line.
  private recheck(auth: AuthContext, route: Route, input: unknown): Decision | Promise<Decision> {
    const requirement = route.requirement;
    const startedAt = this.metrics.start();
    const denied = requirement && checkRequirement(auth, requirement);
    if (denied === undefined) {
      if (route.authorize === undefined) return { admitted: true, auth, headers: undefined };
      return this.authorization.afterPrior(auth, route.authorize, input, startedAt);
    }
    const refusal = this.refuse(denied, auth, undefined, route);
    this.metrics.timeSince(startedAt);
    return refusal;
  }

  private refuse(err: unknown, auth?: AuthContext, credential?: Credential, route?: Route): Refusal {
    // Anything but an AuthError is a bug, not an answer: it reaches the framework's error handling.
    if (!isAuthError(err)) throw err;
    this.record(err, auth);
    const { status, headers, body } = this.response(err, credential?.scheme, route?.requirement?.scopes);
    return { admitted: false, error: err, status, headers, body };
  }

  private record(err: AuthError, auth: AuthContext | undefined): void {
    this.metrics.refused(err, auth);
    if (this.logger !== undefined) logRejected(this.logger, err, auth);
  }

  // The one error table, with the DPoP challenge where DPoP is on and a fresh nonce for DPoP failures,
  // the resource metadata's URL when a resource is configured, and the refusing route's scopes.
  private response(
    err: AuthError,
    scheme?: Credential['scheme'],
    scopes?: readonly string[],
  ): AuthErrorResponse {
    const dpop = this.dpopChallenge;
    const nonce =
      dpop !== undefined && err.dpopError !== undefined ? this.senders?.currentNonce() : undefined;
    return authErrorResponse(err, {
      realm: this.realm,
      scheme,
      scopes,
      resourceMetadata: this.resourceMetadata?.url,
      dpop: nonce === undefined ? dpop : { algs: dpop!.algs, nonce },
    });
  }
}

const REQUIRED_ROUTE: Route = Object.freeze({
  optional: false,
  publicPaths: false,
  requirement: undefined,
  authorize: undefined,
});
const OPTIONAL_ROUTE: Route = Object.freeze({ ...REQUIRED_ROUTE, optional: true });

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
