/**
 * A `ws` WebSocket server whose upgrades go through the pipeline first: its `handleUpgrade` is wrapped,
 * so whoever calls it (the server itself when it listens on an HTTP server, Nest's `WsAdapter`, an
 * `upgrade` listener) gets a refusal written as an HTTP answer, or a socket tracked with its identity.
 * Nothing here imports `ws`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuthContext } from '../context.js';
import { ConfigError, MissingCredentialsError } from '../errors.js';
import type { Decision, Route, RoutePolicy } from '../pipeline/decision.js';
import type { Gatehouse } from '../pipeline/gatehouse.js';
import { type HandshakeOptions, removeCarrier, upgradeHandshake, writeRefusal } from './upgrade.js';
import { trackWebSocket, type WebSocketLike, type WebSocketSessionOptions } from './websocket-session.js';

/** The part of a `ws` `WebSocketServer` the guard uses. */
export interface WebSocketServerLike<Socket extends WebSocketLike = WebSocketLike> {
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (ws: Socket, request: IncomingMessage) => void,
  ): void;
  emit(event: 'connection', ws: Socket, request: IncomingMessage): boolean;
}

/** Options of {@link guardWebSocketServer}. */
export interface WebSocketGuardOptions extends HandshakeOptions, WebSocketSessionOptions {
  /** What the connection requires beyond valid credentials (admin, scopes). */
  readonly policy?: RoutePolicy;
}

const guardedBy = new WeakMap<object, Gatehouse>();

/**
 * Puts a `ws` server behind the gate: every upgrade it handles runs through the pipeline first
 * (`Authorization` with Bearer, DPoP or an API key; or the `gatehouse.bearer.*` subprotocol of
 * browsers). A refusal is the HTTP 401/403/429/503 answer of any route and the socket is never
 * upgraded; an accepted socket is welcomed, carries its identity ({@link connectionAuth}) and closes
 * with 4001 when it is revoked or expires. Guarding a server again with the same gate changes nothing
 * (the first options stay); another gate is a configuration error.
 *
 * @example
 * ```ts
 * import { WebSocketServer } from 'ws';
 *
 * const wss = guardWebSocketServer(gate, new WebSocketServer({ server: httpServer, path: '/v1/stream' }));
 * wss.on('connection', (ws) => ws.send(JSON.stringify({ hello: connectionAuth(ws)?.subject })));
 * ```
 */
export function guardWebSocketServer<
  Socket extends WebSocketLike,
  Server extends WebSocketServerLike<Socket>,
>(gate: Gatehouse, server: Server, options: WebSocketGuardOptions = {}): Server {
  const guard = guardedBy.get(server);
  if (guard === gate) return server;
  if (guard !== undefined) {
    throw new ConfigError('invalid_config', 'this WebSocket server is already behind another gate', {
      field: 'server',
    });
  }
  guardedBy.set(server, gate);
  const route = gate.route(options.policy);
  const upgrade = server.handleUpgrade.bind(server);
  server.handleUpgrade = (request, socket, head, callback) => {
    authenticateUpgrade(gate, route, request, socket, options, (auth) =>
      upgrade(request, socket, head, (ws, req) => {
        const origin = { route, path: pathOf(request.url), remoteAddress: request.socket?.remoteAddress };
        trackWebSocket(gate, ws, auth, origin, options);
        callback(ws, req);
      }),
    );
  };
  return server;
}

// The upgrade request through the pipeline: a refusal is written on the raw socket; an accepted request
// loses its carrier (so that nothing after the handshake sees the token) before `accept` upgrades it.
function authenticateUpgrade(
  gate: Gatehouse,
  route: Route,
  request: IncomingMessage,
  socket: Duplex,
  options: HandshakeOptions,
  accept: (auth: AuthContext) => void,
): void {
  // Until the WebSocket server takes the socket, a client that goes away must not crash the process.
  socket.on('error', ignore);
  const handshake = upgradeHandshake(gate, request, options);
  if (handshake.refusal) {
    writeRefusal(socket, handshake.refusal);
    return;
  }
  const decide = (decision: Decision) => {
    if (!decision.admitted) return writeRefusal(socket, decision);
    if (decision.auth === undefined)
      return writeRefusal(socket, gate.respond(new MissingCredentialsError())!);
    if (handshake.carrier) removeCarrier(request);
    accept(decision.auth);
  };
  const decision = gate.handle(handshake.view, route);
  if (decision instanceof Promise) decision.then(decide, () => socket.destroy());
  else decide(decision);
}

/** The path of a request target, without its query. @internal */
export function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

function ignore(): void {}
