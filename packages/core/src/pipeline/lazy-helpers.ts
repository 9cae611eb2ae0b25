import { type RouteHelpers, stepUpPolicy } from './helpers.js';

/**
 * An adapter's handler and {@link RouteHelpers} whose gate is built on the first request rather than at
 * once: for code imported where the configuration is not there yet (a Cloudflare Worker's `env` arrives
 * with its first request, and workerd refuses timers and random values outside one; `next build` imports
 * route handlers without the runtime's variables). `build` receives the arguments of the first call of
 * any of the handlers (undefined when `gate` is read before any request) and is called once; each
 * helper's handler is made from its result on first use. Configuration errors then surface on that first
 * request: read `gate` at start-up where the configuration is there, so that they stop the start instead.
 *
 * @example
 * ```ts
 * const middleware = lazyRouteHelpers<Handler>((first) => gatehouse(optionsFrom(first?.[0].env)));
 * app.use(middleware);
 * app.get('/admin', middleware.admin(), handler); // nothing is built until a request arrives
 * ```
 */
export function lazyRouteHelpers<Handler extends (...args: never[]) => unknown, Input = unknown>(
  build: (first: Parameters<Handler> | undefined) => Handler & RouteHelpers<Handler, Input>,
): Handler & RouteHelpers<Handler, Input> {
  type Built = Handler & RouteHelpers<Handler, Input>;
  let built: Built | undefined;
  const gatehouse = (first: Parameters<Handler> | undefined) => {
    built ??= build(first);
    return built;
  };
  // Each handler is made once, on its first request, from the built gate.
  const deferred = (make: (g: Built) => Handler): Handler => {
    let handler: ((...args: Parameters<Handler>) => ReturnType<Handler>) | undefined;
    return ((...args: Parameters<Handler>) => {
      handler ??= make(gatehouse(args)) as unknown as (...args: Parameters<Handler>) => ReturnType<Handler>;
      return handler(...args);
    }) as unknown as Handler;
  };
  const main = deferred((g) => g);
  const required = deferred((g) => g.required());
  const optional = deferred((g) => g.optional());
  // `gate` is a getter: Object.assign would read it, and so build the gate, at once.
  Object.defineProperty(main, 'gate', { get: () => gatehouse(undefined).gate, enumerable: true });
  const helpers: Omit<RouteHelpers<Handler, Input>, 'gate'> = {
    required: () => required,
    optional: () => optional,
    admin: () => deferred((g) => g.admin()),
    scopes: (...scopes) => deferred((g) => g.scopes(...scopes)),
    // Checked now, as the eager helper does; applied on the first request.
    stepUp: (requirement) => {
      const policy = stepUpPolicy(requirement);
      return deferred((g) => g.stepUp(policy));
    },
    require: (requirement) => deferred((g) => g.require(requirement)),
    authorize: (action, resource, context) => deferred((g) => g.authorize(action, resource, context)),
    // A WebSocket gate attaches to a Node server at start-up: the gate is built then, from no request.
    webSocket: (options) => gatehouse(undefined).webSocket(options),
  };
  return Object.assign(main, helpers) as Built;
}
