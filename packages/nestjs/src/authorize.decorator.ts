import type { AuthzResource, RouteAuthorization } from '@gatehouse/core';
import { Reflector } from '@nestjs/core';
import type { GatehouseRequest } from './guard.js';

/** Metadata of {@link Authorize}: the route's authorization step. */
export const AuthorizeMetadata = Reflector.createDecorator<RouteAuthorization<GatehouseRequest>>();

/** How {@link Authorize} finds the resource from the request (Express's or Fastify's). */
export type ResourceFinder = (request: GatehouseRequest) => AuthzResource | Promise<AuthzResource>;

/**
 * The authorization step (after authentication and `@AdminOnly()` / `@RequireScopes()`): may the identity
 * do `action` on the resource? Asks the backend configured by `authz` (or `GATEHOUSE_AUTHZ`); 403
 * `access_denied` (`insufficient_scope` when a scope would help), 503 when no decision can be made.
 * `@Authorize('read', 'process', 'id')` names the resource type and the route parameter holding its id
 * (no parameter: the collection); `@Authorize('read', (request) => …)` finds it itself (a lookup may
 * return a promise, e.g. to add the `owner`).
 *
 * @example
 * ```ts
 * @Authorize('read', 'process', 'id')
 * @Get('processes/:id')
 * process(@Param('id') id: string) { return this.store.process(id); }
 *
 * @Authorize('delete', async (request) => ({ type: 'process', id: request.params!.id!, owner: await owners.of(request.params!.id!) }))
 * @Delete('processes/:id')
 * remove(@Param('id') id: string) { return this.store.remove(id); }
 * ```
 */
export function Authorize(
  action: string,
  resource: string | ResourceFinder,
  param?: string,
): MethodDecorator & ClassDecorator {
  const find: ResourceFinder =
    typeof resource === 'function'
      ? resource
      : param === undefined
        ? () => ({ type: resource })
        : (request) => {
            const id = request.params?.[param];
            // Never a decision on the collection instead: a missing parameter is a mistake in the route.
            if (typeof id !== 'string')
              throw new TypeError(`@Authorize: the route has no parameter "${param}"`);
            return { type: resource, id };
          };
  return AuthorizeMetadata({ action, resource: find });
}
