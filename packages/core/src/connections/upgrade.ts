/**
 * The HTTP side of a WebSocket upgrade (RFC 6455 §4), framework-neutral: the request view the pipeline
 * decides on (with the browser carrier), the refusal written on the raw socket as an ordinary HTTP
 * answer, and the carrier taken out of the request once it was read.
 */
import { InvalidRequestError } from '../errors.js';
import type { AuthErrorResponse } from '../http/response.js';
import type { Gatehouse } from '../pipeline/gatehouse.js';
import { type NodeRequestLike, NodeRequestView, type RequestView } from '../pipeline/request.js';
import { nodeBuiltin } from '../platform/builtins.js';
import { utf8Bytes } from '../platform/encoding.js';
import { asAuthorization, readProtocolCarrier, withAuthorization, withQueryToken } from './credentials.js';
import { GATEHOUSE_SUBPROTOCOL } from './protocol.js';

// Reason phrases from node:http, loaded without a static import (core also loads where it is missing).
const STATUS_CODES: Readonly<Record<number, string | undefined>> =
  nodeBuiltin<typeof import('node:http')>('node:http')?.STATUS_CODES ?? {};

/** Where the handshake of a long-lived connection may carry its token besides the headers. */
export interface HandshakeOptions {
  /**
   * Accept a token from this query parameter (RFC 6750 §2.3 calls it `access_token`). Off by default:
   * URLs end up in access logs, proxies and browser history, so a token there is never read unless a
   * route opts in by naming the parameter.
   */
  readonly queryToken?: string | false;
}

/** The request view of a handshake, or the answer that refuses it before any credential is checked. */
export type Handshake =
  | { readonly view: RequestView; readonly carrier: boolean; readonly refusal?: undefined }
  | { readonly refusal: AuthErrorResponse; readonly view?: undefined };

/**
 * The view the pipeline decides an upgrade request on: `Authorization` and `DPoP` as sent, plus the
 * token of the `gatehouse.bearer.*` subprotocol (and of the opted-in query parameter). A malformed
 * carrier is refused at once (400).
 *
 * @example
 * ```ts
 * const handshake = upgradeHandshake(gate, req);
 * if (handshake.refusal) return writeRefusal(socket, handshake.refusal);
 * const decision = await gate.handle(handshake.view, gate.route());
 * ```
 */
export function upgradeHandshake(
  gate: Gatehouse,
  req: NodeRequestLike,
  options: HandshakeOptions = {},
): Handshake {
  const base = new NodeRequestView(req);
  const carrier = readProtocolCarrier(base.header('sec-websocket-protocol'));
  if (carrier.malformed) return { refusal: gate.respond(new InvalidRequestError('malformed'))! };
  const view = withAuthorization(
    base,
    carrier.token === undefined ? undefined : asAuthorization(carrier.token),
  );
  return { view: withQueryToken(view, options.queryToken), carrier: carrier.token !== undefined };
}

/** The part of a Node `IncomingMessage` whose headers {@link removeCarrier} rewrites. */
export interface MutableRequestHeaders {
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
}

/**
 * Takes the carrier out of an accepted upgrade request, so that nothing after the handshake (the
 * WebSocket server's protocol selection, the application's handlers, its logs) sees the token:
 * `Sec-WebSocket-Protocol` keeps the other protocols, `gatehouse.v1` first (the one a server without
 * its own preference selects).
 *
 * @example
 * ```ts
 * removeCarrier(req); // 'gatehouse.v1, gatehouse.bearer.ZXlK…' → 'gatehouse.v1'
 * ```
 */
export function removeCarrier(req: MutableRequestHeaders): void {
  const { protocols } = readProtocolCarrier(req.headers['sec-websocket-protocol']);
  const ordered = protocols.includes(GATEHOUSE_SUBPROTOCOL)
    ? [GATEHOUSE_SUBPROTOCOL, ...protocols.filter((p) => p !== GATEHOUSE_SUBPROTOCOL)]
    : protocols;
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'sec-websocket-protocol') kept.push(raw[i]!, raw[i + 1] ?? '');
  }
  if (ordered.length > 0) {
    req.headers['sec-websocket-protocol'] = ordered.join(', ');
    kept.push('Sec-WebSocket-Protocol', ordered.join(', '));
  } else {
    delete req.headers['sec-websocket-protocol'];
  }
  raw.splice(0, raw.length, ...kept);
}

/** The socket an upgrade request arrived on (a `net.Socket` or `tls.TLSSocket`). */
export interface UpgradeSocket {
  readonly writable: boolean;
  write(data: string): unknown;
  end(): unknown;
  destroy(): unknown;
  once(event: 'finish', listener: () => void): unknown;
}

/** An HTTP answer that refuses a handshake: an {@link AuthErrorResponse}, or e.g. a 404. */
export interface HttpRefusal {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: string; readonly error_description: string };
}

/**
 * Writes a refusal on the raw socket of an upgrade request as an ordinary HTTP answer (status, the
 * challenge and the other headers of the one error table, the JSON body) and closes it: the connection
 * is not upgraded.
 *
 * @example
 * ```ts
 * if (!decision.admitted) return writeRefusal(socket, decision);
 * ```
 */
export function writeRefusal(socket: UpgradeSocket, answer: HttpRefusal): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(answer.body);
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}`];
  for (const [name, value] of Object.entries(answer.headers)) lines.push(`${name}: ${value}`);
  lines.push(
    'content-type: application/json',
    `content-length: ${utf8Bytes(body).length}`,
    'connection: close',
  );
  socket.once('finish', () => socket.destroy());
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  socket.end();
}
