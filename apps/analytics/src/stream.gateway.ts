import { connectionAuth } from '@gatehouse/core';
import { dashboardSession } from '@gatehouse/example-kit';
import { type LiveFeed, type SenderRecords } from '@gatehouse/example-telemetry-store';
import { GatehouseAuthz } from '@gatehouse/nestjs';
import { Inject } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { LIVE_FEED } from './tokens.js';

/** Every message on the stream goes to one handler (the parser of `createApp`'s adapter says so). */
export const STREAM_EVENT = 'stream';

/**
 * `GET /v1/stream`: a dashboard subscribes, then receives the new records it may read. The handshake is
 * Gatehouse's (`GatehouseWsAdapter`): only accepted sockets reach this gateway, welcomed, and closed with
 * 4001 when their credentials are revoked or expire.
 */
@WebSocketGateway({ path: '/v1/stream' })
export class StreamGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly sessions = new WeakMap<WebSocket, ReturnType<typeof dashboardSession>>();

  constructor(
    @Inject(LIVE_FEED) private readonly feed: LiveFeed,
    @Inject(GatehouseAuthz) private readonly authz: GatehouseAuthz,
  ) {}

  handleConnection(client: WebSocket): void {
    const identity = connectionAuth(client);
    if (identity === undefined) return;
    // The same decisions as the reads: the records of the senders the ownership rules let it read.
    const viewer = {
      permitted: (resources: SenderRecords[]) => this.authz.permitted(identity, 'read', resources),
    };
    const send = (answer: unknown) => client.send(JSON.stringify(answer));
    this.sessions.set(client, dashboardSession(this.feed, viewer, send));
  }

  handleDisconnect(client: WebSocket): void {
    this.sessions.get(client)?.close();
  }

  @SubscribeMessage(STREAM_EVENT)
  receive(@ConnectedSocket() client: WebSocket, @MessageBody() data: unknown): void {
    this.sessions.get(client)?.receive(data);
  }
}
