/**
 * `@gatehouse/nestjs/ws`: gateways on the `ws` platform (`@nestjs/platform-ws`) behind the gate.
 */
import { guardWebSocketServer, type WebSocketGuardOptions } from '@gatehouse/core';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { type GatewayGatehouseOptions, gateOf, splitGatewayOptions } from './gateway-policy.js';

export type { GatewayGatehouseOptions } from './gateway-policy.js';

/** Options of {@link GatehouseWsAdapter}: how every gateway's handshake is checked, and Nest's own. */
export interface GatehouseWsAdapterOptions extends WebSocketGuardOptions {
  /** `WsAdapter`'s message parser (e.g. to map `{ "type": … }` messages to `@SubscribeMessage` events). */
  readonly messageParser?: NonNullable<ConstructorParameters<typeof WsAdapter>[1]>['messageParser'];
}

/**
 * Nest's `WsAdapter` with every gateway's upgrade run through the gate `GatehouseModule` built: the
 * handshake is authenticated like any request (`Authorization`, or the `gatehouse.bearer.*` subprotocol
 * of browsers); a refusal is the HTTP 401/403/429/503 answer of any route and the socket is never
 * upgraded. An accepted socket is welcomed (`{"type":"welcome",…}`), its identity is what `@CurrentAuth()`
 * gives message handlers, and it closes with 4001 when its credentials are revoked or expire. A gateway
 * may require more: `@WebSocketGateway({ path, gatehouse: { scopes: ['telemetry:read'] } })`.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new GatehouseWsAdapter(app));
 * await app.listen(3000);
 * ```
 */
export class GatehouseWsAdapter extends WsAdapter {
  private readonly guard: WebSocketGuardOptions;

  constructor(
    private readonly app: INestApplicationContext,
    options: GatehouseWsAdapterOptions = {},
  ) {
    const { messageParser, ...guard } = options;
    super(app, messageParser === undefined ? undefined : { messageParser });
    this.guard = guard;
  }

  override create(
    port: number,
    options?: Parameters<WsAdapter['create']>[1] & GatewayGatehouseOptions,
  ): ReturnType<WsAdapter['create']> {
    const { policy, rest } = splitGatewayOptions(options);
    const server = super.create(port, rest);
    return guardWebSocketServer(gateOf(this.app), server, {
      ...this.guard,
      policy: policy ?? this.guard.policy,
    });
  }
}
