import type { AuthRequirement } from '@gatehouse/core';
import { type GatehouseWebOptions, gatehouse, type WebCheck, type WebGatehouse } from './gate.js';

/**
 * A {@link WebGatehouse} built on its first request rather than at once: for code that is imported
 * where the configuration is not there yet (`next build` imports every route handler without the
 * runtime's `GATEHOUSE_*` variables; a Worker's `env` arrives with its first `fetch`). Configuration
 * errors surface on that first request instead of at start-up: check `gate.warmUp()` where you can.
 *
 * @example
 * ```ts
 * // lib/gatehouse.ts (Next.js)
 * import { lazyGatehouse } from '@gatehouse/web';
 *
 * export const auth = lazyGatehouse(() => ({ publicPaths: ['/api/health'] }));
 * ```
 */
export function lazyGatehouse(options: () => GatehouseWebOptions = () => ({})): WebGatehouse {
  let built: WebGatehouse | undefined;
  const gate = (): WebGatehouse => {
    built ??= gatehouse(options());
    return built;
  };
  // Each helper's check is made once, on first use, from the built gate.
  const deferred = (make: (g: WebGatehouse) => WebCheck): WebCheck => {
    let check: WebCheck | undefined;
    return (request, connection, prior) => {
      check ??= make(gate());
      return check(request, connection, prior);
    };
  };
  const required = deferred((g) => g.required());
  const optional = deferred((g) => g.optional());
  const main: WebCheck = (request, connection, prior) => gate()(request, connection, prior);
  // `gate` is a getter (Object.assign would read it, and so build the gate, at once).
  Object.defineProperty(main, 'gate', { get: () => gate().gate, enumerable: true });
  return Object.assign(main, {
    required: () => required,
    optional: () => optional,
    admin: () => deferred((g) => g.admin()),
    scopes: (...scopes: string[]) => deferred((g) => g.scopes(...scopes)),
    require: (requirement: AuthRequirement) => deferred((g) => g.require(requirement)),
  }) as WebGatehouse;
}
