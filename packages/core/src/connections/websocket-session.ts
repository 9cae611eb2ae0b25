/**
 * What happens to a WebSocket once its handshake was accepted, whoever accepted it (the upgrade gate of
 * Express and Koa, the guarded server of Nest, the Fastify plugin's hook): it is tracked with its identity
 * (closed 4001 when revoked or expired), welcomed, and answers in-band re-authentication where opted in.
 */
import type { AuthContext } from '../context.js';
import type { Gatehouse } from '../pipeline/gatehouse.js';
import { concatBytes, utf8Text } from '../platform/encoding.js';
import type { ConnectionOrigin, LiveConnection } from './live-connections.js';
import { GATEHOUSE_SUBPROTOCOL, reauthenticationToken, welcomeMessage } from './protocol.js';

/** The part of a `ws` WebSocket the bindings use. */
export interface WebSocketLike {
  /** The subprotocol the server selected ('' for none). */
  readonly protocol?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  once(event: 'close', listener: () => void): unknown;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

/** How an accepted WebSocket is kept. */
export interface WebSocketSessionOptions {
  /**
   * Send `{"type":"welcome",…}` first on every accepted socket that speaks no other subprotocol than
   * `gatehouse.v1` (one that selected, say, graphql-ws's `graphql-transport-ws` never gets a message
   * outside its protocol). Default true.
   */
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

const accepted = new WeakMap<object, LiveConnection>();

/**
 * Keeps an accepted WebSocket: tracked on `gate.connections` with its identity (closed with 4001 when
 * a revocation covers it or its token expires), welcomed with `{"type":"welcome",…}` unless told not
 * to, and answering `reauthenticate` messages where opted in. Adapters call it once the upgrade went
 * through the pipeline; applications read the identity with {@link connectionAuth}.
 *
 * @example
 * ```ts
 * wss.handleUpgrade(req, socket, head, (ws) => {
 *   trackWebSocket(gate, ws, auth, { route: gate.route(), path: '/v1/stream' });
 *   wss.emit('connection', ws, req);
 * });
 * ```
 */
export function trackWebSocket(
  gate: Gatehouse,
  ws: WebSocketLike,
  auth: AuthContext,
  origin: ConnectionOrigin,
  options: WebSocketSessionOptions = {},
): LiveConnection {
  const live = gate.connections.track(
    auth,
    options.transport ?? 'websocket',
    (code, reason) => ws.close(code, reason),
    origin,
  );
  accepted.set(ws, live);
  ws.once('close', () => live.ended());
  if (options.reauthentication === true) answerReauthentication(ws, live);
  if (options.welcome !== false && speaksOnlyGatehouse(ws)) ws.send(welcomeMessage(auth));
  return live;
}

// A message of ours on a socket whose subprotocol is someone else's would break its peer (a graphql-ws
// client closes with 4400 on any message that is not of its protocol).
function speaksOnlyGatehouse(ws: WebSocketLike): boolean {
  return !ws.protocol || ws.protocol === GATEHOUSE_SUBPROTOCOL;
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

// A message as `ws` hands it over (a Buffer, its fragments, or an ArrayBuffer), as text; '' when too large.
function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return data.length > 16_384 ? '' : utf8Text(data);
  if (Array.isArray(data)) return textOf(concatBytes(data as Uint8Array[]));
  if (data instanceof ArrayBuffer) return textOf(new Uint8Array(data));
  return '';
}
