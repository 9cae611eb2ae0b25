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
   * Serves `server`'s `upgrade` events (one listener for every gate attached to it): a path no gate
   * serves gets 404 unless another listener is there. Returns the function that stops serving.
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
    attach: (emitter: UpgradeEmitter) => attach(emitter, handle),
  });
}

type Handle = (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
type Listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
const attached = new WeakMap<UpgradeEmitter, { gates: Set<Handle>; listener: Listener }>();

// One `upgrade` listener per server for every gate attached to it (a path each), so that a path none of
// them serves gets 404 when no other listener is there to take it.
function attach(emitter: UpgradeEmitter, handle: Handle): () => void {
  let entry = attached.get(emitter);
  if (entry === undefined) {
    const gates = new Set<Handle>();
    const listener: Listener = (request, socket, head) => {
      for (const gate of gates) if (gate(request, socket, head)) return;
      if (emitter.listenerCount('upgrade') === 1) writeRefusal(socket, NOT_FOUND);
    };
    entry = { gates, listener };
    attached.set(emitter, entry);
    emitter.on('upgrade', listener);
  }
  const { gates, listener } = entry;
  gates.add(handle);
  return () => {
    gates.delete(handle);
    if (gates.size > 0) return;
    emitter.off('upgrade', listener);
    attached.delete(emitter);
  };
}

const NOT_FOUND: HttpRefusal = {
  status: 404,
  headers: {},
  body: { error: 'not_found', error_description: 'no WebSocket endpoint at this path' },
};
