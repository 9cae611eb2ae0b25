/**
 * WebSocket routes of `@fastify/websocket`: it runs the upgrade request through Fastify's hooks before
 * upgrading, so the plugin's `onRequest` hook authenticates it like any request (a refusal is written
 * as the HTTP answer and the socket is never upgraded). This file adds what an upgrade needs beyond
 * that: the browser carrier (`Sec-WebSocket-Protocol`) read and then removed, and the accepted socket
 * tracked with its identity (welcomed, closed with 4001 when revoked or expired).
 */
import {
  type AuthContext,
  type Gatehouse,
  type Handshake,
  type HandshakeOptions,
  type Route,
  removeCarrier,
  trackWebSocket,
  upgradeHandshake,
  type WebSocketLike,
  type WebSocketSessionOptions,
} from '@gatehouse/core';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** How the plugin treats WebSocket routes (`@fastify/websocket`): carriers and what an accepted socket gets. */
export interface GatehouseWebSocketOptions extends HandshakeOptions, WebSocketSessionOptions {}

type RawRequest = Parameters<typeof upgradeHandshake>[1] & {
  readonly headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  readonly socket?: { destroy?(): unknown } | null;
};

/** The upgrades of one plugin instance: read at the handshake, tracked once the socket is open. @internal */
export class FastifyUpgrades {
  private readonly accepted = new WeakMap<object, { auth: AuthContext; route: Route; path: string }>();

  constructor(
    private readonly gate: Gatehouse,
    private readonly options: GatehouseWebSocketOptions = {},
  ) {}

  /** Whether a request asks for a WebSocket upgrade. */
  isUpgrade(raw: RawRequest): boolean {
    const upgrade = raw.headers.upgrade;
    return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket';
  }

  /** The handshake of a WebSocket upgrade request, with its carrier. */
  handshake(raw: RawRequest): Handshake {
    return upgradeHandshake(this.gate, raw, this.options);
  }

  /** An upgrade the pipeline admitted: the token leaves the headers before `ws` reads them. */
  admitted(
    raw: RawRequest,
    handshake: { readonly carrier: boolean },
    auth: AuthContext,
    route: Route,
    path: string,
  ): void {
    if (handshake.carrier) removeCarrier(raw);
    this.accepted.set(raw, { auth, route, path });
  }

  /**
   * A refused upgrade: the HTTP answer is the last thing on the socket. (`@fastify/websocket` closes it
   * only when its own hook ran first, and a refusal may come before.)
   */
  refused(raw: RawRequest, reply: FastifyReply): void {
    reply.header('connection', 'close');
    reply.raw.once('finish', () => raw.socket?.destroy?.());
  }

  /** Tracks the sockets `@fastify/websocket` opens for admitted upgrades (before the route's handler runs). */
  listen(fastify: FastifyInstance): void {
    const server = (fastify as unknown as { websocketServer?: WebSocketServerEvents }).websocketServer;
    server?.on('connection', (ws, raw) => {
      const entry = this.accepted.get(raw);
      if (entry === undefined) return;
      this.accepted.delete(raw);
      const { auth, route, path } = entry;
      trackWebSocket(
        this.gate,
        ws,
        auth,
        { route, path, remoteAddress: raw.socket?.remoteAddress },
        this.options,
      );
    });
  }
}

interface WebSocketServerEvents {
  on(
    event: 'connection',
    listener: (ws: WebSocketLike, raw: { socket?: { remoteAddress?: string } | null }) => void,
  ): unknown;
}
