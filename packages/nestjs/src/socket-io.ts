/**
 * `@gatehouse/nestjs/socket.io`: gateways on the Socket.IO platform (`@nestjs/platform-socket.io`)
 * behind the gate.
 */
import { type SocketIoGateOptions, socketIoGate } from '@gatehouse/core';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { type GatewayGatehouseOptions, gateOf, splitGatewayOptions } from './gateway-policy.js';

export type { GatewayGatehouseOptions } from './gateway-policy.js';

/**
 * Nest's `IoAdapter` with every namespace's handshake run through the gate `GatehouseModule` built
 * (`io.use()`): the token from `auth.token` (browsers: `io(url, { auth: { token } })`) or the
 * `Authorization` header. A refusal reaches the client as `connect_error` with the HTTP answer in
 * `err.data`; an accepted socket has its identity on `socket.data.auth` (what `@CurrentAuth()` gives
 * message handlers) and is disconnected, after a `gatehouse:close` event `{ code: 4001, reason }`, when
 * its credentials are revoked or expire. A gateway may require more:
 * `@WebSocketGateway({ namespace: 'admin', gatehouse: { admin: true } })`.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new GatehouseIoAdapter(app));
 * await app.listen(3000);
 * ```
 */
export class GatehouseIoAdapter extends IoAdapter {
  constructor(
    private readonly app: INestApplicationContext,
    private readonly gateOptions: SocketIoGateOptions = {},
  ) {
    super(app);
  }

  override create(
    port: number,
    options?: Parameters<IoAdapter['create']>[1] & GatewayGatehouseOptions,
  ): ReturnType<IoAdapter['create']> {
    const { policy, rest } = splitGatewayOptions(options);
    const server = super.create(port, rest);
    server.use(
      socketIoGate(gateOf(this.app), { ...this.gateOptions, policy: policy ?? this.gateOptions.policy }),
    );
    return server;
  }
}
