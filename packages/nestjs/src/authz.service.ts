import type { AuthContext, AuthzResource, Gatehouse } from '@gatehouse/core';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AuthorizeMetadata } from './authorize.decorator.js';
import { GatehouseException } from './exception.js';
import { GATEHOUSE } from './tokens.js';

/**
 * The authorization backend for controllers: list filtering (`permitted`) with the decisions of the
 * backend configured by `authz` (or `GATEHOUSE_AUTHZ`). Provided by `GatehouseModule`. At start-up it also
 * refuses an app whose `@Authorize()` routes have no backend to ask.
 *
 * @example
 * ```ts
 * @Get('logs')
 * async logs(@CurrentAuth() auth: AuthContext) {
 *   const owners = this.store.senders().map((owner) => ({ type: 'log', owner }));
 *   return this.store.logsOf(await this.authz.permitted(auth, 'read', owners));
 * }
 * ```
 */
@Injectable()
export class GatehouseAuthz implements OnApplicationBootstrap {
  constructor(
    @Inject(GATEHOUSE) private readonly gate: Gatehouse,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  /**
   * The resources `auth` may do `action` on, in their order (one batch for the uncached ones). Throws a
   * {@link GatehouseException} (503 `authz_unavailable`, its `Retry-After` in `headers`) when no decision
   * could be made: never a silently shorter list.
   */
  permitted<R extends AuthzResource>(
    auth: AuthContext,
    action: string,
    resources: readonly R[],
    context?: Readonly<Record<string, unknown>>,
  ): R[] | Promise<R[]> {
    const refused = (err: unknown): never => {
      // An answer only for an AuthError: anything else is the application's failure, as it is.
      const answer = this.gate.respond(err);
      if (answer === undefined) throw err;
      throw new GatehouseException(err as GatehouseException['error'], answer);
    };
    try {
      const allowed = this.gate.permitted(auth, action, resources, context);
      return allowed instanceof Promise ? allowed.catch(refused) : allowed;
    } catch (err) {
      return refused(err);
    }
  }

  /** A route that `@Authorize`s while no backend is configured stops start-up (the gate names `authz`). */
  onApplicationBootstrap(): void {
    if (this.gate.authorizer !== undefined) return;
    for (const { instance, metatype } of this.discovery.getControllers()) {
      if (!instance || !metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      const targets = [
        metatype,
        ...this.scanner.getAllMethodNames(prototype).map((name) => prototype[name] as object),
      ];
      for (const target of targets) {
        const authorize = this.reflector.get(AuthorizeMetadata, target as never);
        if (authorize !== undefined) this.gate.route({ authorize });
      }
    }
  }
}
