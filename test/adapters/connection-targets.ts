/**
 * The same WebSocket endpoints on every adapter that has the transport: `/v1/stream` (valid credentials)
 * and `/v1/admin-stream` (admins), each answering `{"event":"whoami"}` with the identity as the
 * framework gives it to the application, and the `Sec-WebSocket-Protocol` header the application saw.
 */
import 'reflect-metadata';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import { type AuthContext, connectionAuth, type Gatehouse, type GatehouseOptions } from '@gatehouse/core';
import { gatehouse as expressGatehouse } from '@gatehouse/express';
import { gatehouse as fastifyGatehouse } from '@gatehouse/fastify';
import { gatehouse as koaGatehouse } from '@gatehouse/koa';
import { AdminOnly, CurrentAuth, GATEHOUSE, GatehouseModule } from '@gatehouse/nestjs';
import { GatehouseIoAdapter } from '@gatehouse/nestjs/socket.io';
import { GatehouseWsAdapter } from '@gatehouse/nestjs/ws';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  ConnectedSocket,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import Koa from 'koa';
import Koa2 from 'koa2';
import { type WebSocket, WebSocketServer } from 'ws';

/** A running app with WebSocket endpoints, and the gate behind them (to revoke). */
export interface RunningConnections {
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  readonly gate: Gatehouse;
  close(): Promise<void>;
}

export interface ConnectionTarget {
  readonly name: string;
  /** `websocket` endpoints answer a `ws` client; `socket.io` ones a Socket.IO client (same paths as namespaces). */
  readonly transport: 'websocket' | 'socket.io';
  /** With `reauthentication`, in-band `reauthenticate` messages are answered (WebSocket endpoints). */
  start(options: GatehouseOptions, binding?: { reauthentication?: boolean }): Promise<RunningConnections>;
}

const REALM = 'connections';
const gateOptions = (options: GatehouseOptions): GatehouseOptions => ({
  env: false,
  realm: REALM,
  ...options,
});

/** What every endpoint answers to `{"event":"whoami"}`. */
const whoami = (auth: AuthContext | undefined, request: IncomingMessage | undefined) => ({
  event: 'whoami',
  data: { subject: auth?.subject, protocolHeader: request?.headers['sec-websocket-protocol'] ?? null },
});

function answerWhoami(ws: WebSocket, auth: () => AuthContext | undefined, request: IncomingMessage): void {
  ws.on('message', (data) => {
    if (String(data).includes('"whoami"')) ws.send(JSON.stringify(whoami(auth(), request)));
  });
}

async function listening(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

// Express and Koa: `auth.webSocket()` on the HTTP server, one `ws` server per path.
function nodeServerTarget(
  name: string,
  make: (options: GatehouseOptions) => {
    server: Server;
    auth: ReturnType<typeof expressGatehouse> | ReturnType<typeof koaGatehouse>;
  },
): ConnectionTarget {
  return {
    name,
    transport: 'websocket',
    async start(options, binding = {}) {
      const { server, auth } = make(gateOptions(options));
      const stream = new WebSocketServer({ noServer: true });
      const admin = new WebSocketServer({ noServer: true });
      for (const wss of [stream, admin]) {
        wss.on('connection', (ws, request) => answerWhoami(ws, () => connectionAuth(ws), request));
      }
      auth.webSocket({ server: stream, path: '/v1/stream', ...binding }).attach(server);
      auth
        .webSocket({ server: admin, path: '/v1/admin-stream', policy: { admin: true }, ...binding })
        .attach(server);
      const url = await listening(server);
      return {
        url,
        gate: auth.gate,
        close: async () => {
          for (const wss of [stream, admin]) for (const ws of wss.clients) ws.terminate();
          await closeServer(server);
          await auth.gate.close();
        },
      };
    },
  };
}

const expressTarget = (name: string, framework: typeof express) =>
  nodeServerTarget(name, (options) => {
    const app = framework();
    const auth = expressGatehouse(options);
    app.use(auth);
    return { server: app.listen(0, '127.0.0.1'), auth };
  });

const koaTarget = (name: string, Framework: typeof Koa) =>
  nodeServerTarget(name, (options) => {
    const auth = koaGatehouse(options);
    const app = new Framework().use(auth);
    return { server: app.listen(0, '127.0.0.1'), auth };
  });

// Fastify: `@fastify/websocket` routes; the plugin's onRequest hook authenticates the upgrade.
const fastifyTarget: ConnectionTarget = {
  name: 'fastify 5 (@fastify/websocket)',
  transport: 'websocket',
  async start(options, binding = {}) {
    const app = Fastify();
    await app.register(fastifyGatehouse, { ...gateOptions(options), webSocket: binding });
    await app.register(fastifyWebsocket);
    app.get('/v1/stream', { websocket: true }, (socket, request) =>
      answerWhoami(socket, () => request.auth, request.raw),
    );
    app.get(
      '/v1/admin-stream',
      { websocket: true, config: { gatehouse: { admin: true } } },
      (socket, request) => answerWhoami(socket, () => request.auth, request.raw),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const gate = app.gatehouse.gate;
    return { url: await listening(app.server), gate, close: () => app.close() };
  },
};

// Nest: gateways on the `ws` platform (GatehouseWsAdapter) or Socket.IO (GatehouseIoAdapter).
const requests = new WeakMap<object, IncomingMessage>();

@WebSocketGateway({ path: '/v1/stream' })
class StreamGateway implements OnGatewayConnection {
  handleConnection(client: object, request: IncomingMessage) {
    if (request !== undefined) requests.set(client, request);
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentAuth() auth: AuthContext, @ConnectedSocket() client: object) {
    return whoami(auth, requests.get(client));
  }

  // A per-message requirement: the guard checks it against the socket's identity.
  @AdminOnly()
  @SubscribeMessage('admin-only')
  adminOnly() {
    return { event: 'admin-only', data: 'ok' };
  }
}

@WebSocketGateway({ path: '/v1/admin-stream', gatehouse: { admin: true } })
class AdminStreamGateway {
  @SubscribeMessage('whoami')
  whoami(@CurrentAuth() auth: AuthContext) {
    return whoami(auth, undefined);
  }
}

@WebSocketGateway({ namespace: 'v1/stream' })
class StreamNamespaceGateway {
  @SubscribeMessage('whoami')
  whoami(@CurrentAuth('subject') subject: string) {
    return { subject };
  }

  @AdminOnly()
  @SubscribeMessage('admin-only')
  adminOnly() {
    return 'ok';
  }
}

@WebSocketGateway({ namespace: 'v1/admin-stream', gatehouse: { admin: true } })
class AdminNamespaceGateway {
  @SubscribeMessage('whoami')
  whoami(@CurrentAuth('subject') subject: string) {
    return { subject };
  }
}

function nestTarget(
  name: string,
  transport: 'websocket' | 'socket.io',
  platform: 'express' | 'fastify',
): ConnectionTarget {
  return {
    name,
    transport,
    async start(options, binding = {}) {
      @Module({
        imports: [GatehouseModule.forRoot(gateOptions(options))],
        providers:
          transport === 'websocket'
            ? [StreamGateway, AdminStreamGateway]
            : [StreamNamespaceGateway, AdminNamespaceGateway],
      })
      class AppModule {}
      const app: INestApplication =
        platform === 'fastify'
          ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
          : await NestFactory.create(AppModule, { logger: false });
      app.useWebSocketAdapter(
        transport === 'websocket'
          ? new GatehouseWsAdapter(app, binding)
          : new GatehouseIoAdapter(app, binding),
      );
      await app.listen(0, '127.0.0.1');
      const url = await listening(app.getHttpServer() as Server);
      return { url, gate: app.get<Gatehouse>(GATEHOUSE), close: () => app.close() };
    },
  };
}

export const CONNECTION_TARGETS: readonly ConnectionTarget[] = [
  expressTarget('express 5', express),
  koaTarget('koa 3', Koa),
  fastifyTarget,
  nestTarget('nestjs ws platform (express)', 'websocket', 'express'),
  nestTarget('nestjs socket.io platform (express)', 'socket.io', 'express'),
  expressTarget('express 4', express4),
  koaTarget('koa 2', Koa2),
  nestTarget('nestjs ws platform (fastify)', 'websocket', 'fastify'),
];
