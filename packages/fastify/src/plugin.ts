import {
  type AdapterOptions,
  type AuthContext,
  authOf as authOfHolder,
  createGatehouse,
  type Decision,
  NodeRequestView,
  nodeBodyReader,
  type Route,
  type RouteHelpers,
  type RoutePolicy,
  withRouteHelpers,
} from '@gatehouse/core';
import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import fp from 'fastify-plugin';
import { FastifyUpgrades, type GatehouseWebSocketOptions } from './websocket.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The identity Gatehouse authenticated: undefined on public routes and on optional routes without
     * credentials. On routes that require authentication, read it with `authOf(request)`.
     */
    auth?: AuthContext;
  }
  interface FastifyInstance {
    /** Gatehouse's route helpers (`preHandler` hooks) and its pipeline, `gate`. */
    gatehouse: RouteHelpers<GatehouseHook, FastifyRequest>;
  }
  interface FastifyContextConfig {
    /**
     * This route's rule: `'public'`, or a policy (`{ optional }`, `{ admin }`, `{ scopes, orAdmin }`,
     * `{ authorize: { action, resource } }`).
     */
    gatehouse?: GatehouseRouteConfig;
  }
}

/** A route's `config.gatehouse`: skip authentication, or what the route requires. */
export type GatehouseRouteConfig = 'public' | RoutePolicy<FastifyRequest>;

/** A Fastify hook (`onRequest` or `preHandler`) that runs Gatehouse's pipeline. */
export type GatehouseHook = (
  this: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

/** Options of the {@link gatehouse} plugin: the configuration and options of `@gatehouse/core`, plus Fastify specifics. */
export interface GatehouseFastifyOptions extends AdapterOptions {
  /**
   * `respond` (default) answers refusals itself (401/403/400/429/503 with `WWW-Authenticate` and a JSON
   * body); `throw` passes the `AuthError` (with `statusCode`) to Fastify's error handler.
   */
  readonly onError?: 'respond' | 'throw';
  /**
   * WebSocket routes (`@fastify/websocket`): `queryToken` (a query parameter that may carry the token;
   * off by default), `welcome` (the `{"type":"welcome",…}` first message; default true),
   * `reauthentication` (answer in-band `reauthenticate` messages; default false).
   */
  readonly webSocket?: GatehouseWebSocketOptions;
}

const plugin: FastifyPluginCallback<GatehouseFastifyOptions> = (fastify, options, done) => {
  let gate: ReturnType<typeof createGatehouse>;
  try {
    gate = createGatehouse(options);
  } catch (err) {
    // Fail closed at start-up, with the configuration error (it names the variable and the field).
    done(err as Error);
    return;
  }
  const throwErrors = options.onError === 'throw';

  const apply = (
    decision: Decision,
    request: FastifyRequest,
    reply: FastifyReply,
    next: HookHandlerDoneFunction,
  ) => {
    if (decision.headers !== undefined) reply.headers(decision.headers);
    if (decision.admitted) {
      if (decision.auth !== undefined) request.auth = decision.auth;
      next();
    } else if (throwErrors) next(Object.assign(decision.error, { statusCode: decision.status }));
    else reply.code(decision.status).send(decision.body);
  };

  const upgrades = new FastifyUpgrades(gate, options.webSocket);
  // A WebSocket upgrade (`@fastify/websocket` routes it through the hooks): with the browser carrier, and
  // the socket refused or tracked once decided.
  const upgrade = (
    route: Route,
    request: FastifyRequest,
    reply: FastifyReply,
    next: HookHandlerDoneFunction,
  ): void => {
    const handshake = request.auth === undefined ? upgrades.handshake(request.raw) : undefined;
    if (handshake?.refusal) {
      upgrades.refused(request.raw, reply);
      reply.code(handshake.refusal.status).headers(handshake.refusal.headers).send(handshake.refusal.body);
      return;
    }
    const view = handshake?.view ?? new NodeRequestView(request.raw, undefined, request.url);
    const decide = (d: Decision) => {
      if (!d.admitted) upgrades.refused(request.raw, reply);
      else if (handshake !== undefined && d.auth !== undefined) {
        upgrades.admitted(request.raw, handshake, d.auth, route, view.path);
      }
      apply(d, request, reply, next);
    };
    const decision = gate.handle(view, route, request.auth, request);
    if (decision instanceof Promise) decision.then(decide, next);
    else decide(decision);
  };
  // Any other request: no closure unless the decision is pending.
  const hookFor = (route: Route): GatehouseHook =>
    function gatehouseHook(request, reply, next) {
      if (upgrades.isUpgrade(request.raw)) {
        upgrade(route, request, reply, next);
        return;
      }
      const view = new NodeRequestView(request.raw, undefined, request.url);
      const decision = gate.handle(view, route, request.auth, request);
      if (decision instanceof Promise) decision.then((d) => apply(d, request, reply, next), next);
      else apply(decision, request, reply, next);
    };
  const main = withRouteHelpers<GatehouseHook, FastifyRequest>(gate, options, hookFor);

  // Each route's config.gatehouse is compiled once, on first use.
  const perRoute = new WeakMap<object, GatehouseHook>();
  const hookOf = (config: RoutePolicy<FastifyRequest>): GatehouseHook => {
    let hook = perRoute.get(config);
    if (hook === undefined) {
      hook = hookFor(gate.route(config, { publicPaths: true }));
      perRoute.set(config, hook);
    }
    return hook;
  };

  fastify.decorateRequest('auth', undefined);
  fastify.decorate('gatehouse', main);
  // `@fastify/websocket` may be registered before or after this plugin: its server exists once all are.
  fastify.addHook('onReady', function trackWebSockets(ready) {
    upgrades.listen(this);
    ready();
  });
  const routes = gate.routes;
  fastify.addHook('onRequest', function gatehouseOnRequest(request, reply, next) {
    if (routes !== undefined) {
      // The operational routes are served here, before Fastify's own body parsing and routing.
      const url = request.url;
      const query = url.indexOf('?');
      const match = routes.match(request.method, query === -1 ? url : url.slice(0, query));
      if (match !== undefined) {
        routes
          .serve(match, new NodeRequestView(request.raw, undefined, url), nodeBodyReader(request.raw))
          .then((answer) => void reply.code(answer.status).headers(answer.headers).send(answer.body), next);
        return;
      }
    }
    const config = (request.routeOptions.config as { gatehouse?: GatehouseRouteConfig }).gatehouse;
    if (config === undefined) main.call(this, request, reply, next);
    else if (config === 'public') next();
    else hookOf(config).call(this, request, reply, next);
  });
  done();
};

/**
 * The Gatehouse plugin for Fastify 5: an `onRequest` hook runs `@gatehouse/core`'s pipeline on every route
 * (per route, `config: { gatehouse: 'public' | { admin: true } | … }` changes the rule), the identity goes
 * on `request.auth`, and `fastify.gatehouse` offers `preHandler` helpers; with `routes: true` it also
 * serves `/ready`, `/metrics`, the revocation admin routes and back-channel logout. Configured by its
 * options; every `GATEHOUSE_*` variable fills what they leave out. Fails at start-up when the
 * configuration is missing or malformed, naming the variable or the field.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { authOf, gatehouse } from '@gatehouse/fastify';
 *
 * const app = Fastify();
 * await app.register(gatehouse, { routes: true, publicPaths: ['/health'] }); // GATEHOUSE_* configure the rest
 * app.get('/health', () => ({ ok: true }));
 * app.get('/v1/whoami', (request) => ({ subject: authOf(request).subject }));
 * app.get('/v1/admin/status', { config: { gatehouse: { admin: true } } }, () => ({ ok: true }));
 * // With `authz` configured: may this identity read this process? (403 access_denied otherwise)
 * const readProcess = { action: 'read', resource: (r: FastifyRequest<{ Params: { id: string } }>) => ({ type: 'process', id: r.params.id }) };
 * ```
 */
export const gatehouse = fp(plugin, { fastify: '5.x', name: '@gatehouse/fastify' });

/**
 * The identity on `request.auth`, typed as present, for routes that require authentication. Throws (a
 * programming error, answered 500) when there is none.
 *
 * @example
 * ```ts
 * app.get('/v1/whoami', (request) => ({ subject: authOf(request).subject }));
 * ```
 */
export function authOf(request: { readonly auth?: AuthContext | undefined }): AuthContext {
  return authOfHolder(request);
}
