import type { Gatehouse, RoutePolicy } from '@gatehouse/core';
import type { INestApplicationContext } from '@nestjs/common';
import { GATEHOUSE } from './tokens.js';

/** What a gateway's options may add: `@WebSocketGateway({ path, gatehouse: { scopes: [...] } })`. */
export interface GatewayGatehouseOptions {
  /** What a client needs beyond valid credentials to connect to this gateway (admin, scopes). */
  readonly gatehouse?: RoutePolicy;
}

/** The gate `GatehouseModule` built, from the application (the adapters are made before it listens). */
export function gateOf(app: INestApplicationContext): Gatehouse {
  return app.get<Gatehouse>(GATEHOUSE, { strict: false });
}

/** A gateway's options split into its policy and what the platform's adapter reads. */
export function splitGatewayOptions<Options extends object>(
  options: (Options & GatewayGatehouseOptions) | undefined,
): { policy: RoutePolicy | undefined; rest: Options | undefined } {
  if (options === undefined) return { policy: undefined, rest: undefined };
  const { gatehouse: policy, ...rest } = options;
  return { policy, rest: rest as Options };
}
