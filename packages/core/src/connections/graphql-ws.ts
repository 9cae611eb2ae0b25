/**
 * GraphQL over WebSocket (`graphql-ws`): the `connection_init` message authenticated in `onConnect`, the
 * identity in the subscription context, and the socket closed when its credentials end. Nothing here
 * imports `graphql-ws`.
 */
import type { AuthContext } from '../context.js';
import { MissingCredentialsError } from '../errors.js';
import type { Decision, RoutePolicy } from '../pipeline/decision.js';
import type { Gatehouse } from '../pipeline/gatehouse.js';
import { type NodeRequestLike, NodeRequestView, requestView } from '../pipeline/request.js';
import { asAuthorization, withAuthorization } from './credentials.js';
import type { LiveConnection } from './live-connections.js';
import { liveConnectionOf } from './websocket-session.js';

/**
 * Close codes of a refused `connection_init`, by the HTTP status any route would have answered: the
 * graphql-ws codes (4400 bad request, 4401 unauthorized, 4403 forbidden, 4429 too many requests) and
 * 1013 (try again later) for an identity provider that cannot be reached. The reason is the error code
 * (`invalid_token`, `insufficient_scope`, …).
 */
export const GRAPHQL_WS_REFUSAL_CODES: Readonly<Record<number, number>> = Object.freeze({
  400: 4400,
  401: 4401,
  403: 4403,
  429: 4429,
  503: 1013,
});

/** The part of a graphql-ws server `Context` the gate reads. */
export interface GraphqlWsContextLike {
  readonly connectionParams?: Readonly<Record<string, unknown>> | undefined;
  /** `{ socket, request }` with `graphql-ws/use/ws` (or `use/@fastify/websocket`, whose request has `raw`). */
  readonly extra: unknown;
}

interface SocketLike {
  close(code?: number, reason?: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/** Options of {@link graphqlWsGate}. */
export interface GraphqlWsGateOptions {
  /** What every operation on the connection requires beyond valid credentials (admin, scopes). */
  readonly policy?: RoutePolicy;
}

/** What {@link graphqlWsGate} gives the graphql-ws server. */
export interface GraphqlWsGate {
  /** The server's `onConnect`: true for an accepted connection; a refused one is already closed. */
  onConnect(ctx: GraphqlWsContextLike): Promise<boolean>;
  /** The identity of an accepted connection, for `context` (undefined before `onConnect` accepted it). */
  auth(ctx: GraphqlWsContextLike): AuthContext | undefined;
}

/**
 * Authenticates graphql-ws connections when they initialise: `connectionParams.authorization` (a token or
 * a whole `Bearer …` value), else the upgrade request's `Authorization` header; a socket that
 * {@link webSocketGate} already accepted keeps the identity it was accepted with. A refusal closes the
 * socket with {@link GRAPHQL_WS_REFUSAL_CODES}; an accepted connection closes with 4001 when its
 * credentials are revoked or expire.
 *
 * @example
 * ```ts
 * import { useServer } from 'graphql-ws/use/ws';
 *
 * const guard = graphqlWsGate(gate);
 * useServer({ schema, onConnect: guard.onConnect, context: (ctx) => ({ auth: guard.auth(ctx) }) }, wss);
 * ```
 */
export function graphqlWsGate(gate: Gatehouse, options: GraphqlWsGateOptions = {}): GraphqlWsGate {
  const connections = gate.connections;
  const route = gate.route(options.policy);
  const accepted = new WeakMap<object, LiveConnection>();

  const onConnect = async (ctx: GraphqlWsContextLike): Promise<boolean> => {
    const { socket, request } = (ctx.extra ?? {}) as { socket?: SocketLike; request?: unknown };
    // Without the socket nothing could close the connection later: fail closed.
    if (socket === undefined || typeof socket.close !== 'function') return false;
    const refuse = (status: number, error: string): false => {
      socket.close(GRAPHQL_WS_REFUSAL_CODES[status] ?? 4403, error);
      return false;
    };
    const upgraded = liveConnectionOf(socket);
    let decision: Decision;
    if (upgraded !== undefined) {
      decision = await gate.handle(requestView({}), route, upgraded.auth);
      if (!decision.admitted) return refuse(decision.status, decision.body.error);
      accepted.set(ctx, upgraded);
      return true;
    }
    const req = nodeRequest(request);
    const base = req === undefined ? requestView({}) : new NodeRequestView(req);
    const given = ctx.connectionParams?.authorization;
    const view = withAuthorization(base, typeof given === 'string' ? asAuthorization(given) : undefined);
    decision = await gate.handle(view, route);
    if (!decision.admitted) return refuse(decision.status, decision.body.error);
    const auth = decision.auth;
    if (auth === undefined) return refuse(401, new MissingCredentialsError().code);
    const live = connections.track(auth, 'graphql-ws', (code, reason) => socket.close(code, reason), {
      route,
      path: base.path,
      remoteAddress: base.remoteAddress,
    });
    socket.once('close', () => live.ended());
    accepted.set(ctx, live);
    return true;
  };

  return { onConnect, auth: (ctx) => accepted.get(ctx)?.auth };
}

function nodeRequest(request: unknown): NodeRequestLike | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  if ('rawHeaders' in request) return request as NodeRequestLike;
  const raw = (request as { raw?: unknown }).raw;
  return raw !== null && typeof raw === 'object' && 'rawHeaders' in raw
    ? (raw as NodeRequestLike)
    : undefined;
}
