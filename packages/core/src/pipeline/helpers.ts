import type { AuthzResource } from '../authz/types.js';
import { type WebSocketGate, type WebSocketGateOptions, webSocketGate } from '../connections/websocket.js';
import type { WebSocketLike } from '../connections/websocket-session.js';
import { ConfigError } from '../errors.js';
import type { AuthenticationRequirement } from '../policy/authentication-context.js';
import type { AuthRequirement } from '../policy/requirement.js';
import type { Route, RouteAuthorization } from './decision.js';
import type { Gatehouse } from './gatehouse.js';
import type { AdapterOptions } from './options.js';

/**
 * Route-level helpers that an adapter's middleware carries, built by core once for every adapter. They
 * share the middleware's gate; each authenticates unless an earlier step already did, then checks its rule.
 */
export interface RouteHelpers<Handler, Input = unknown> {
  /** The pipeline behind the middleware. */
  readonly gate: Gatehouse;
  /** Requires valid credentials on this route (a no-op when the request already has an identity). */
  required(): Handler;
  /** Authenticates when credentials are present; passes without an identity when they are absent. */
  optional(): Handler;
  /** Requires an admin (`isAdmin`): 401 without credentials, 403 for anyone else. */
  admin(): Handler;
  /** Requires every listed scope: 401 without credentials, 403 `insufficient_scope` without them. */
  scopes(...scopes: string[]): Handler;
  /**
   * Requires a step-up (RFC 9470): the token's `acr` one of `acr`, and/or its `auth_time` at most `maxAge`
   * seconds ago. 401 without credentials; 401 `insufficient_user_authentication` with `acr_values` and/or
   * `max_age` when the login falls short. Combine with scopes through {@link require}.
   */
  stepUp(requirement: AuthenticationRequirement): Handler;
  /**
   * Requires what `requirement` says, e.g. `{ scopes: ['metrics:read'], orAdmin: true }` or
   * `{ scopes: ['api:admin'], acr: ['urn:example:mfa'], maxAge: 300 }`.
   */
  require(requirement: AuthRequirement): Handler;
  /**
   * The authorization step: may the identity do `action` on the resource the request names? Asks the
   * configured backend (`authz`); 403 `access_denied` (or `insufficient_scope` when a scope would help),
   * 503 when no decision can be made. `resource` is the resource, or a function of the framework's
   * request that finds it (a promise for a lookup), typed as your routes type it (`Request<{ id: string }>`,
   * `RouterContext`). Throws a `ConfigError` when no backend is configured.
   */
  authorize<I extends Input = Input>(
    action: string,
    resource: AuthzResource | ((input: I) => AuthzResource | Promise<AuthzResource>),
    context?: RouteAuthorization<I>['context'],
  ): Handler;
  /**
   * WebSocket upgrades through the same gate (`webSocketGate`): give it a `ws` server made with
   * `noServer: true` and the paths it serves, then `.attach(httpServer)`. Refused upgrades get the HTTP
   * answer of any route; accepted sockets are welcomed, carry their identity (`connectionAuth(ws)`) and
   * close with 4001 when revoked or expired.
   */
  webSocket<Socket extends WebSocketLike>(options: WebSocketGateOptions<Socket>): WebSocketGate;
}

/**
 * What every adapter returns: its main handler (public paths skipped, `mode` applied) carrying the
 * {@link RouteHelpers}. The adapter supplies one function, `handlerFor(route, main)`, mapping a compiled
 * {@link Route} to its framework's handler; `main` is true for the main handler only, which also serves
 * the operational routes (`gate.routes`) when they are configured.
 *
 * @example
 * ```ts
 * const middleware = withRouteHelpers(gate, options, (route, main) => (req, res, next) => run(route, main, req, res, next));
 * app.use(middleware);
 * app.get('/admin', middleware.admin(), handler);
 * app.get('/processes/:id', middleware.authorize('read', (req) => ({ type: 'process', id: req.params.id })), handler);
 * ```
 */
export function withRouteHelpers<Handler extends object, Input = unknown>(
  gate: Gatehouse,
  options: Pick<AdapterOptions, 'mode'>,
  handlerFor: (route: Route, main: boolean) => Handler,
): Handler & RouteHelpers<Handler, Input> {
  const required = handlerFor(gate.route(), false);
  const optional = handlerFor(gate.route({ optional: true }), false);
  const main = handlerFor(gate.route({ optional: options.mode === 'optional' }, { publicPaths: true }), true);
  const helpers: RouteHelpers<Handler, Input> = {
    gate,
    required: () => required,
    optional: () => optional,
    admin: () => handlerFor(gate.route({ admin: true }), false),
    scopes: (...scopes) => handlerFor(gate.route({ scopes }), false),
    stepUp: (requirement) => handlerFor(gate.route(stepUpPolicy(requirement)), false),
    require: (requirement) => handlerFor(gate.route(requirement), false),
    authorize: (action, resource, context) =>
      handlerFor(
        gate.route({ authorize: { action, resource, context } as RouteAuthorization<never> }),
        false,
      ),
    webSocket: (webSocketOptions) => webSocketGate(gate, webSocketOptions),
  };
  return Object.assign(main, helpers);
}

/** The policy of a step-up helper, checked when the helper is made. @internal */
export function stepUpPolicy({ acr, maxAge }: AuthenticationRequirement): AuthenticationRequirement {
  if (acr === undefined && maxAge === undefined) {
    throw new ConfigError('invalid_config', 'needs acr and/or maxAge', { field: 'stepUp' });
  }
  return { acr, maxAge };
}
