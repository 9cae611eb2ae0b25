import { appendValue } from '../http/bearer.js';

/**
 * What the pipeline reads of a request, whatever the framework: each adapter maps its request into one
 * (usually with {@link NodeRequestView}) and never parses a credential itself.
 */
export interface RequestView {
  /** The HTTP method, upper case (`GET`). */
  readonly method: string;
  /** The path as routed, without the query string: what public paths are matched against. */
  readonly path: string;
  /** The request target as received (path and query), e.g. for a DPoP proof's `htu`. */
  readonly url: string;
  /** The raw `Authorization` value, or every value when the header was repeated. */
  readonly authorization: string | readonly string[] | undefined;
  /** The raw `DPoP` value, or every value when the header was repeated. */
  readonly dpop: string | readonly string[] | undefined;
  /** The socket's peer address (not `X-Forwarded-For`). */
  readonly remoteAddress: string | undefined;
  /** Any other header, by lower-case name; an array when it was repeated. */
  header(name: string): string | readonly string[] | undefined;
  /** The DER client certificate of a TLS connection, when the client presented one. */
  peerCertificate(): Uint8Array | undefined;
  /**
   * Optional: the origin the connection arrived on (`http://127.0.0.1:8080`), from the socket's local
   * address and port, never from the `Host` header. A DPoP proof's `htu` is compared with it when no
   * public URL is configured.
   */
  origin?(): string | undefined;
}

/** The part of Node's `IncomingMessage` a {@link NodeRequestView} reads (Express, Koa, Fastify and Nest all have one). */
export interface NodeRequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly rawHeaders: readonly string[];
  readonly socket?: {
    readonly remoteAddress?: string | undefined;
    readonly localAddress?: string | undefined;
    readonly localPort?: number | undefined;
    readonly encrypted?: boolean;
    getPeerCertificate?(detailed?: boolean): { readonly raw?: Buffer } | null | object;
  } | null;
}

/**
 * A {@link RequestView} over a Node request. The headers are read from `rawHeaders` (where a repeated
 * `Authorization` header stays visible, unlike `req.headers`) lazily, in one pass, only when the pipeline
 * first asks for a credential: a public path or an already authenticated request costs nothing.
 *
 * @example
 * ```ts
 * const decision = gate.handle(new NodeRequestView(req, req.path, req.originalUrl), route);
 * ```
 */
export class NodeRequestView implements RequestView {
  readonly path: string;
  readonly url: string;
  private scanned = false;
  private auth: string | string[] | undefined;
  private proof: string | string[] | undefined;

  constructor(
    private readonly req: NodeRequestLike,
    path?: string,
    url?: string,
  ) {
    this.url = url ?? req.url ?? '/';
    this.path = path ?? pathOf(this.url);
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get authorization(): string | readonly string[] | undefined {
    if (!this.scanned) this.scan();
    return this.auth;
  }

  get dpop(): string | readonly string[] | undefined {
    if (!this.scanned) this.scan();
    return this.proof;
  }

  get remoteAddress(): string | undefined {
    return this.req.socket?.remoteAddress;
  }

  header(name: string): string | readonly string[] | undefined {
    const raw = this.req.rawHeaders;
    let found: string | string[] | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const candidate = raw[i]!;
      if (candidate.length === name.length && candidate.toLowerCase() === name) {
        found = appendValue(found, raw[i + 1] ?? '');
      }
    }
    return found;
  }

  peerCertificate(): Uint8Array | undefined {
    const socket = this.req.socket;
    if (typeof socket?.getPeerCertificate !== 'function') return undefined;
    const certificate = socket.getPeerCertificate(false) as { raw?: unknown } | null;
    return certificate && certificate.raw instanceof Uint8Array ? certificate.raw : undefined;
  }

  origin(): string | undefined {
    const socket = this.req.socket;
    if (!socket?.localAddress || !socket.localPort) return undefined;
    const address = socket.localAddress.startsWith('::ffff:')
      ? socket.localAddress.slice(7)
      : socket.localAddress;
    const host = address.includes(':') ? `[${address}]` : address;
    return `${socket.encrypted ? 'https' : 'http'}://${host}:${socket.localPort}`;
  }

  // One pass over the raw headers for the two the pipeline always reads. Names are compared by length
  // first, and lower-cased only when their first letter could match (Host, Accept… never are).
  private scan(): void {
    this.scanned = true;
    const raw = this.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const length = name.length;
      if (length === 13) {
        if (
          name === 'Authorization' ||
          ((name.charCodeAt(0) | 32) === 97 && isNamed(name, 'authorization'))
        ) {
          this.auth = appendValue(this.auth, raw[i + 1] ?? '');
        }
      } else if (length === 4 && (name.charCodeAt(0) | 32) === 100 && isNamed(name, 'dpop')) {
        this.proof = appendValue(this.proof, raw[i + 1] ?? '');
      }
    }
  }
}

// Whether a header name equals `lower` (a lower-case name of the same length), in any case.
function isNamed(name: string, lower: string): boolean {
  return name === lower || name.toLowerCase() === lower;
}

/**
 * A {@link RequestView} from plain values: for requests that do not come from Node's HTTP server (a
 * WebSocket upgrade handled elsewhere, a queue message carrying a token) and for tests.
 *
 * @example
 * ```ts
 * const decision = await gate.handle(requestView({ authorization: `Bearer ${token}` }), gate.route());
 * ```
 */
export function requestView(fields: {
  readonly method?: string;
  readonly url?: string;
  readonly path?: string;
  readonly authorization?: string | readonly string[];
  readonly dpop?: string | readonly string[];
  readonly remoteAddress?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly peerCertificate?: Uint8Array;
  /** The origin the connection arrived on (see {@link RequestView.origin}). */
  readonly origin?: string;
}): RequestView {
  const url = fields.url ?? fields.path ?? '/';
  const headers = fields.headers ?? {};
  return {
    method: fields.method ?? 'GET',
    url,
    path: fields.path ?? pathOf(url),
    authorization: fields.authorization,
    dpop: fields.dpop,
    remoteAddress: fields.remoteAddress,
    header: (name) => headers[name],
    peerCertificate: () => fields.peerCertificate,
    origin: () => fields.origin,
  };
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
