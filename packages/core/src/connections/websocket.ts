/**
 * WebSocket upgrades through the pipeline, for a `ws` server (`new WebSocketServer({ noServer: true })`)
 * on any Node HTTP server: Express, Koa, plain `node:http`. Nothing here imports `ws`; the server is
 * used through the few methods below.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuthContext } from '../context.js';
import { MissingCredentialsError } from '../errors.js';
import type { RoutePolicy } from '../pipeline/decision.js';
import type { Gatehouse } from '../pipeline/gatehouse.js';
import type { LiveConnection } from './live-connections.js';
import { reauthenticationToken, welcomeMessage } from './protocol.js';
import {
  type HandshakeOptions,
  type HttpRefusal,
  removeCarrier,
  upgradeHandshake,
  writeRefusal,
} from './upgrade.js';

/** The part of a `ws` WebSocket the binding uses. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  once(event: 'close', listener: () => void): unknown;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/** The part of a `ws` `WebSocketServer` (made with `noServer: true`) the binding uses. */
export interface WebSocketServerLike<Socket extends WebSocketLike = WebSocketLike> {
  handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (ws: Socket, request: IncomingMessage) => void,
  ): void;
  emit(event: 'connection', ws: Socket, request: IncomingMessage): boolean;
}

/** Options of {@link webSocketGate}. */
export interface WebSocketGateOptions<Socket extends WebSocketLike = WebSocketLike> extends HandshakeOptions {
  /** The WebSocket server the accepted upgrades go to; its `connection` event fires for each. */
  readonly server: WebSocketServerLike<Socket>;
  /** The paths served (exact, without the query). Default: every upgrade request. */
  readonly path?: string | readonly string[];
  /** What the connection requires beyond valid credentials (admin, scopes). */
  readonly policy?: RoutePolicy;
  /** Send `{"type":"welcome",…}` first on every accepted socket. Default true. */
  readonly welcome?: boolean;
  /**
   * Answer `{"type":"reauthenticate","token"}` messages in band: new credentials for the same identity
   * replace the connection's (and move its expiry); such messages never reach the application.
   * Default false.
   */
  readonly reauthentication?: boolean;
  /** The `transport` label of the metrics. Default `websocket`. */
  readonly transport?: string;
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

const accepted = new WeakMap<object, LiveConnection>();

/**
 * Guards WebSocket upgrades with the gate: the upgrade request runs through the pipeline (`Authorization`
 * with Bearer, DPoP or an API key; or the `gatehouse.bearer.*` subprotocol of browsers); a refusal is the
 * HTTP 401/403/429/503 answer of any route, and the socket is never upgraded. Accepted sockets carry
 * their identity ({@link connectionAuth}) and close with 4001 when it is revoked or expires.
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
  const connections = gate.connections;
  const route = gate.route(options.policy);
  const paths = options.path === undefined ? undefined : new Set([options.path].flat());
  const transport = options.transport ?? 'websocket';
  const { server } = options;

  const open = (auth: AuthContext, request: IncomingMessage, ws: Socket, path: string) => {
    const live = connections.track(auth, transport, (code, reason) => ws.close(code, reason), {
      route,
      path,
      remoteAddress: request.socket?.remoteAddress,
    });
    accepted.set(ws, live);
    ws.once('close', () => live.ended());
    if (options.reauthentication === true) answerReauthentication(ws, live);
    if (options.welcome !== false) ws.send(welcomeMessage(auth));
    server.emit('connection', ws, request);
  };

  const handle = (request: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const path = pathOf(request.url);
    if (paths !== undefined && !paths.has(path)) return false;
    const handshake = upgradeHandshake(gate, request, options);
    // Until the WebSocket server takes the socket, a client that goes away must not crash the process.
    socket.on('error', ignore);
    if (handshake.refusal) {
      writeRefusal(socket, handshake.refusal);
      return true;
    }
    const decide = (decision: Awaited<ReturnType<Gatehouse['handle']>>) => {
      if (!decision.admitted) return writeRefusal(socket, decision);
      if (decision.auth === undefined)
        return writeRefusal(socket, gate.respond(new MissingCredentialsError())!);
      if (handshake.carrier) removeCarrier(request);
      const auth = decision.auth;
      server.handleUpgrade(request, socket, head, (ws) => open(auth, request, ws, path));
    };
    const decision = gate.handle(handshake.view, route);
    if (decision instanceof Promise) decision.then(decide, () => socket.destroy());
    else decide(decision);
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

/**
 * The identity an accepted socket runs as now (after any in-band re-authentication), or undefined for
 * a socket Gatehouse did not accept. Works for every transport bound to a WebSocket.
 *
 * @example
 * ```ts
 * wss.on('connection', (ws) => console.error('connected:', connectionAuth(ws)?.subject));
 * ```
 */
export function connectionAuth(ws: object): AuthContext | undefined {
  return accepted.get(ws)?.auth;
}

/** The tracked connection behind an accepted socket (for the bindings layered on it). @internal */
export function liveConnectionOf(ws: object): LiveConnection | undefined {
  return accepted.get(ws);
}

// In-band re-authentication: `reauthenticate` text messages are answered here and never emitted to the
// application's `message` listeners.
function answerReauthentication(ws: WebSocketLike, live: LiveConnection): void {
  const emit = ws.emit;
  ws.emit = function (this: WebSocketLike, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && args[1] === false) {
      const token = reauthenticationToken(textOf(args[0]));
      if (token !== undefined) {
        void live.reauthenticate(token).then((answer) => {
          if (live.open) ws.send(JSON.stringify(answer));
        });
        return true;
      }
    }
    return emit.call(this, event, ...args);
  };
}

function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.length > 16_384 ? '' : data.toString('utf8');
  if (Array.isArray(data)) return textOf(Buffer.concat(data as Buffer[]));
  if (data instanceof ArrayBuffer) return textOf(Buffer.from(data));
  return '';
}

function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

function ignore(): void {}

const NOT_FOUND: HttpRefusal = {
  status: 404,
  headers: {},
  body: { error: 'not_found', error_description: 'no WebSocket endpoint at this path' },
};
