import { type AuthenticationRequirement, type AuthRequirement, lazyRouteHelpers } from '@gatehouse/core';
import {
  type ConnectionSource,
  type GatehouseWebOptions,
  gatehouse,
  type WebCheck,
  type WebGatehouse,
} from './gate.js';

/**
 * A {@link WebGatehouse} built on its first request rather than at once, from the options `options`
 * returns then. For a Cloudflare Worker, whose `GATEHOUSE_*` variables arrive as its `env` bindings with
 * each request (and where workerd refuses timers and random values outside a request, so no gate can be
 * built at module level); and for code imported where the configuration is not there yet (`next build`
 * imports every route handler without the runtime's variables). `env` is the second argument the wrapped
 * handler received (a Worker's `env`; see {@link serverConnection}), undefined when `gate` is read before
 * any request. Configuration errors surface on that first request instead of at start-up.
 *
 * @example
 * ```ts
 * // A Cloudflare Worker: the GATEHOUSE_* variables are its vars and secrets.
 * import { lazyGatehouse, withGatehouse } from '@gatehouse/web';
 *
 * const auth = lazyGatehouse((env) => ({ env, routes: true, publicPaths: ['/health'] }));
 * export default {
 *   fetch: withGatehouse(auth, (_request, gated) => Response.json({ subject: gated.auth?.subject })),
 * };
 * ```
 */
export function lazyGatehouse<Env extends object = Readonly<Record<string, unknown>>>(
  options: (env: Env | undefined) => GatehouseWebOptions = () => ({}),
): WebGatehouse {
  let built: WebGatehouse | undefined;
  // The connection is found only to build the gate: once built, a request's connection is left to the
  // steps that need it (serveRoute runs on every request of the main check).
  const build = (connection: ConnectionSource | undefined): WebGatehouse => {
    if (built !== undefined) return built;
    const known = typeof connection === 'function' ? connection() : connection;
    built = gatehouse(options(known?.env as Env | undefined));
    return built;
  };
  const lazy = lazyRouteHelpers<WebCheck, Request>((first) => build(first?.[1]));
  // Every check, the helpers' too, reports the built gate's pending work (none before it is built).
  const pendingWork = () => built?.gate.pendingWork();
  const tag = (check: WebCheck): WebCheck => Object.assign(check, { pendingWork });
  const { required, optional, admin, scopes, stepUp, require, authorize } = lazy;
  return Object.assign(tag(lazy), {
    serveRoute: (request: Request, connection?: ConnectionSource) =>
      build(connection).serveRoute?.(request, connection),
    required: () => tag(required()),
    optional: () => tag(optional()),
    admin: () => tag(admin()),
    scopes: (...names: string[]) => tag(scopes(...names)),
    stepUp: (requirement: AuthenticationRequirement) => tag(stepUp(requirement)),
    require: (requirement: AuthRequirement) => tag(require(requirement)),
    authorize: ((action, resource, context) =>
      tag(authorize(action, resource, context))) as WebGatehouse['authorize'],
  }) as WebGatehouse;
}
