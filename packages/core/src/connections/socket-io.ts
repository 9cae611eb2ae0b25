/**
 * Socket.IO (`io.use()`): the handshake through the pipeline, the identity on `socket.data.auth`, and the
 * socket disconnected when its credentials end. Nothing here imports `socket.io`.
 */
import type { AuthContext } from '../context.js';
import { MissingCredentialsError } from '../errors.js';
import type { AuthErrorResponse } from '../http/response.js';
import type { Decision, RoutePolicy } from '../pipeline/decision.js';
import type { Gatehouse } from '../pipeline/gatehouse.js';
import { type NodeRequestLike, NodeRequestView } from '../pipeline/request.js';
import { asAuthorization, withAuthorization, withQueryToken } from './credentials.js';
import type { ReauthenticationAnswer } from './protocol.js';
import type { HandshakeOptions } from './upgrade.js';

/** The events Gatehouse uses on a Socket.IO socket. */
export const SOCKET_IO_EVENTS = Object.freeze({
  /** Sent by the server just before it disconnects a socket whose credentials ended: `{ code, reason }`. */
  close: 'gatehouse:close',
  /** Sent by the client (where the server opted in) with a new token and an acknowledgement callback. */
  reauthenticate: 'gatehouse:reauthenticate',
});

/** The part of a Socket.IO server socket the middleware uses. */
export interface SocketIoSocketLike {
  readonly handshake: { readonly auth: Readonly<Record<string, unknown>> };
  /** The first HTTP request of the connection (its headers, address, TLS certificate). */
  readonly request: NodeRequestLike;
  // biome-ignore lint/suspicious/noExplicitAny: Socket.IO types `data` as the application's own.
  data: any;
  emit(event: string, ...args: unknown[]): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  disconnect(close?: boolean): unknown;
}

/** The error a refused handshake passes to `next()`: the client's `connect_error` receives it. */
export interface SocketIoRefusal extends Error {
  /** The HTTP answer any route would have given: status, headers (the challenge), error and description. */
  readonly data: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
  } & AuthErrorResponse['body'];
}

/** Options of {@link socketIoGate}. */
export interface SocketIoGateOptions extends HandshakeOptions {
  /** What the socket requires beyond valid credentials (admin, scopes). */
  readonly policy?: RoutePolicy;
  /**
   * Answer `gatehouse:reauthenticate` events (`socket.emit('gatehouse:reauthenticate', token, ack)`): new
   * credentials for the same identity replace the socket's. Default false.
   */
  readonly reauthentication?: boolean;
}

/**
 * A Socket.IO middleware that authenticates each socket's handshake: the token from `auth.token` (what
 * browsers send: `io(url, { auth: { token } })`) or the `Authorization` header (Node clients'
 * `extraHeaders`). A refusal reaches the client as `connect_error` with the HTTP answer in `err.data`;
 * an accepted socket has its identity on `socket.data.auth`, and is disconnected (after a
 * `gatehouse:close` event with `{ code: 4001, reason }`) when its credentials are revoked or expire.
 *
 * @example
 * ```ts
 * import { Server } from 'socket.io';
 *
 * const io = new Server(httpServer);
 * io.use(socketIoGate(gate, { policy: { scopes: ['telemetry:read'] } }));
 * io.on('connection', (socket) => socket.emit('hello', socket.data.auth.subject));
 * ```
 */
export function socketIoGate(
  gate: Gatehouse,
  options: SocketIoGateOptions = {},
): (socket: SocketIoSocketLike, next: (err?: Error) => void) => void {
  const connections = gate.connections;
  const route = gate.route(options.policy);

  const accept = (socket: SocketIoSocketLike, auth: AuthContext, path: string) => {
    socket.data = socket.data ?? {};
    socket.data.auth = auth;
    const live = connections.track(
      auth,
      'socket.io',
      (code, reason) => {
        socket.emit(SOCKET_IO_EVENTS.close, { code, reason });
        socket.disconnect();
      },
      { route, path, remoteAddress: socket.request.socket?.remoteAddress },
    );
    socket.on('disconnect', () => live.ended());
    if (options.reauthentication !== true) return;
    socket.on(SOCKET_IO_EVENTS.reauthenticate, (token: unknown, ack: unknown) => {
      void live.reauthenticate(typeof token === 'string' ? token : '').then((answer) => {
        if (answer.type === 'reauthenticated') socket.data.auth = live.auth;
        if (typeof ack === 'function') (ack as (answer: ReauthenticationAnswer) => void)(answer);
      });
    });
  };

  return function gatehouseSocketIo(socket, next) {
    const base = new NodeRequestView(socket.request);
    const token = socket.handshake.auth?.token;
    const view = withQueryToken(
      withAuthorization(base, typeof token === 'string' ? asAuthorization(token) : undefined),
      options.queryToken,
    );
    const decide = (decision: Decision) => {
      if (!decision.admitted) return next(refusal(decision));
      if (decision.auth === undefined) return next(refusal(gate.respond(new MissingCredentialsError())!));
      accept(socket, decision.auth, base.path);
      next();
    };
    const decision = gate.handle(view, route);
    if (decision instanceof Promise) decision.then(decide, (err: unknown) => next(err as Error));
    else decide(decision);
  };
}

function refusal(answer: AuthErrorResponse): SocketIoRefusal {
  const error = new Error(answer.body.error_description) as Error & { data: SocketIoRefusal['data'] };
  error.data = { status: answer.status, headers: answer.headers, ...answer.body };
  return error;
}
