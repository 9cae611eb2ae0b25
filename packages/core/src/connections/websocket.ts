/**
 * WebSocket upgrades through the pipeline on any Node HTTP server (Express, Koa, plain `node:http`): an
 * `upgrade` listener that serves some paths with a guarded `ws` server (`noServer: true`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Gatehouse } from '../pipeline/gatehouse.js';
import { type HttpRefusal, writeRefusal } from './upgrade.js';
import {
  guardWebSocketServer,
  pathOf,
  type WebSocketGuardOptions,
  type WebSocketServerLike,
} from './websocket-guard.js';
import type { WebSocketLike } from './websocket-session.js';

/** Options of {@link webSocketGate}. */
export interface WebSocketGateOptions<Socket extends WebSocketLike = WebSocketLike>
  extends WebSocketGuardOptions {
  /** The WebSocket server the accepted upgrades go to; its `connection` event fires for each. */
  readonly server: WebSocketServerLike<Socket>;
  /** The paths served (exact, without the query). Default: every upgrade request. */
  readonly path?: string | readonly string[];
}

/** An HTTP server's `upgrade` listener that authenticates before the WebSocket server sees anything. */
export interface WebSocketGate {
  /**
   * Takes an upgrade request whose path it serves: refuses it as an HTTP answer, or hands it to the
   * WebSocket server. Returns false (touching nothing) for any other path.
   */
  (request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Listens to `server`'s `upgrade` event; when it is the only listener, other paths get 404. Returns
   * the function that stops listening.
   */
  attach(server: UpgradeEmitter): () => void;
}

/** A Node HTTP(S) server, as far as upgrades go. */
export interface UpgradeEmitter {
  on(event: 'upgrade', listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  off(event: 'upgrade', listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  listenerCount(event: 'upgrade'): number;
}

/**
 * Guards WebSocket upgrades with the gate ({@link guardWebSocketServer}) and routes them by path: the
 * upgrade request runs through the pipeline (`Authorization` with Bearer, DPoP or an API key; or the
 * `gatehouse.bearer.*` subprotocol of browsers); a refusal is the HTTP 401/403/429/503 answer of any
 * route, and the socket is never upgraded. Accepted sockets carry their identity ({@link connectionAuth})
 * and close with 4001 when it is revoked or expires. The adapters offer it as `auth.webSocket(options)`.
 *
 * @example
 * ```ts
 * import { WebSocketServer } from 'ws';
 *
 * const wss = new WebSocketServer({ noServer: true });
 * webSocketGate(gate, { server: wss, path: '/v1/stream' }).attach(httpServer);
 * wss.on('connection', (ws) => ws.send(JSON.stringify({ hello: connectionAuth(ws)?.subject })));
 * ```
 */
export function webSocketGate<Socket extends WebSocketLike>(
  gate: Gatehouse,
  options: WebSocketGateOptions<Socket>,
): WebSocketGate {
  const paths = options.path === undefined ? undefined : new Set([options.path].flat());
  const server = guardWebSocketServer(gate, options.server, options);

  const handle = (request: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    if (paths !== undefined && !paths.has(pathOf(request.url))) return false;
    server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
    return true;
  };

  return Object.assign(handle, {
    attach(emitter: UpgradeEmitter): () => void {
      const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (handle(request, socket, head) || emitter.listenerCount('upgrade') > 1) return;
        writeRefusal(socket, NOT_FOUND);
      };
      emitter.on('upgrade', listener);
      return () => void emitter.off('upgrade', listener);
    },
  });
}

const NOT_FOUND: HttpRefusal = {
  status: 404,
  headers: {},
  body: { error: 'not_found', error_description: 'no WebSocket endpoint at this path' },
};
