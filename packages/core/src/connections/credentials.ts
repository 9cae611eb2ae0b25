/**
 * Where a long-lived connection's credentials may come from besides `Authorization`: the subprotocol
 * carrier of browsers, a transport's own field (Socket.IO `auth`, GraphQL `connectionParams`), and, only
 * where a route opts in, the query string. Each becomes one more `Authorization` value for the one
 * pipeline: a request that carries two credentials is malformed (400), never a choice between them.
 */
import type { RequestView } from '../pipeline/request.js';
import { decodeBase64, utf8Text } from '../platform/encoding.js';
import { BEARER_SUBPROTOCOL_PREFIX } from './protocol.js';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** What the `Sec-WebSocket-Protocol` header carries once the token is taken out of it. */
export interface ProtocolCarrier {
  /** The decoded token of a `gatehouse.bearer.*` entry, if there is one. */
  readonly token: string | undefined;
  /** Whether the carrier was malformed: not base64url, or more than one `gatehouse.bearer.*` entry. */
  readonly malformed: boolean;
  /** Every other protocol offered, in the client's order: what the server may select from. */
  readonly protocols: readonly string[];
}

/**
 * Reads the token out of the `Sec-WebSocket-Protocol` values (`gatehouse.v1, gatehouse.bearer.<base64url
 * of the token>`).
 *
 * @example
 * ```ts
 * readProtocolCarrier('gatehouse.v1, gatehouse.bearer.YWJj'); // { token: 'abc', malformed: false, protocols: ['gatehouse.v1'] }
 * ```
 */
export function readProtocolCarrier(header: string | readonly string[] | undefined): ProtocolCarrier {
  if (header === undefined) return { token: undefined, malformed: false, protocols: [] };
  const values = typeof header === 'string' ? [header] : header;
  const protocols: string[] = [];
  let encoded: string | undefined;
  let malformed = false;
  for (const value of values) {
    for (const part of value.split(',')) {
      const protocol = part.trim();
      if (protocol.length === 0) continue;
      if (!protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX)) protocols.push(protocol);
      else if (encoded !== undefined) malformed = true;
      else encoded = protocol.slice(BEARER_SUBPROTOCOL_PREFIX.length);
    }
  }
  if (encoded === undefined) return { token: undefined, malformed, protocols };
  if (!BASE64URL.test(encoded)) return { token: undefined, malformed: true, protocols };
  return { token: utf8Text(decodeBase64(encoded) ?? new Uint8Array()), malformed, protocols };
}

/**
 * The value of a query parameter of a request target, when a route opted in to query-string tokens
 * (RFC 6750 §2.3 names it `access_token`). Undefined when absent or empty.
 *
 * @example
 * ```ts
 * queryParameter('/v1/stream?access_token=abc', 'access_token'); // 'abc'
 * ```
 */
function queryParameter(url: string, name: string): string | undefined {
  const query = url.indexOf('?');
  if (query === -1) return undefined;
  const value = new URLSearchParams(url.slice(query + 1)).get(name);
  return value === null || value.length === 0 ? undefined : value;
}

/**
 * A token given as it would follow `Bearer ` (or a whole `Bearer …`/`DPoP …` value, as some clients
 * send in Socket.IO `auth` or GraphQL `connectionParams`), as an `Authorization` value.
 *
 * @example
 * ```ts
 * asAuthorization('eyJ…'); // 'Bearer eyJ…'
 * asAuthorization('DPoP eyJ…'); // unchanged
 * ```
 */
export function asAuthorization(token: string): string {
  return /^(bearer|dpop) /i.test(token) ? token : `Bearer ${token}`;
}

/**
 * `view` with one more `Authorization` value (from a carrier). With a header already there, both are
 * kept, and the pipeline refuses the request as carrying two credentials.
 *
 * @example
 * ```ts
 * const view = withAuthorization(new NodeRequestView(req), asAuthorization(socket.handshake.auth.token));
 * ```
 */
export function withAuthorization(view: RequestView, extra: string | undefined): RequestView {
  if (extra === undefined) return view;
  const header = view.authorization;
  const authorization =
    header === undefined ? extra : [...(typeof header === 'string' ? [header] : header), extra];
  return {
    method: view.method,
    path: view.path,
    url: view.url,
    authorization,
    dpop: view.dpop,
    remoteAddress: view.remoteAddress,
    header: (name) => view.header(name),
    peerCertificate: () => view.peerCertificate(),
    origin: () => view.origin?.(),
  };
}

/**
 * `view` with the token of the query parameter `name` as one more `Authorization` value, where a route
 * opted in by naming it (the `queryToken` option of the handshakes); `view` itself otherwise.
 *
 * @example
 * ```ts
 * const view = withQueryToken(new NodeRequestView(req), 'access_token'); // /v1/stream?access_token=abc → Bearer abc
 * ```
 */
export function withQueryToken(view: RequestView, name: string | false | undefined): RequestView {
  if (!name) return view;
  const token = queryParameter(view.url, name);
  return token === undefined ? view : withAuthorization(view, `Bearer ${token}`);
}
