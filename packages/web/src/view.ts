import type { RequestView } from '@gatehouse/core';

/**
 * What a Web `Request` does not carry about its connection, supplied by the caller (the server knows it):
 * `Deno.serve`'s `info.remoteAddr`, Bun's `server.requestIP(request)`, `@hono/node-server`'s socket.
 *
 * @example
 * ```ts
 * Deno.serve((request, info) => handle(request, { address: info.remoteAddr.hostname }));
 * ```
 */
export interface WebConnection {
  /** The client's address as the socket sees it: what the failed-auth throttle counts (or, with `trustProxy`, the proxy's). */
  readonly address?: string | undefined;
  /**
   * The origin the server listens on (`http://127.0.0.1:8080`), for a DPoP proof's `htu` when no
   * `publicUrl` is configured. Never taken from the request's `Host` header.
   */
  readonly origin?: string | undefined;
  /** The DER client certificate of a mutual-TLS connection, for certificate-bound tokens (RFC 8705). */
  readonly certificate?: Uint8Array | undefined;
  /**
   * What the server handed the handler besides the request (a Cloudflare Worker's `env` bindings, Hono's
   * `c.env`): given to a `lazyGatehouse`'s options function when it builds the gate. Never read by
   * the checks themselves.
   */
  readonly env?: unknown;
}

/**
 * A `RequestView` over a Web `Request` (Node's undici, Bun, Deno, workerd): headers are read with
 * `headers.get` (a repeated `Authorization` or `DPoP` header arrives joined by commas and is handed on
 * as several values, which the pipeline refuses), the path and target are cut out of `request.url` without building a `URL`.
 *
 * @example
 * ```ts
 * const decision = await gate.handle(new WebRequestView(request, { address }), gate.route());
 * ```
 */
export class WebRequestView implements RequestView {
  private target: string | undefined;
  private routed: string | undefined;
  private known: WebConnection | (() => WebConnection) | undefined;

  /**
   * @param connection what the server knows of the connection, or a function that finds it (called at
   *   most once, only when a step needs it: the throttle, a DPoP `htu`, a certificate binding).
   * @param path the path as the router sees it (default: the path of `request.url`).
   */
  constructor(
    private readonly request: Request,
    connection?: WebConnection | (() => WebConnection),
    path?: string,
  ) {
    this.known = connection;
    this.routed = path;
  }

  private get connection(): WebConnection {
    let known = this.known;
    if (typeof known === 'function') {
      known = known();
      this.known = known;
    }
    return known ?? NO_CONNECTION;
  }

  get method(): string {
    return this.request.method;
  }

  /** The request target (path and query), from the absolute URL a Web `Request` carries. */
  get url(): string {
    if (this.target === undefined) this.target = targetOf(this.request.url);
    return this.target;
  }

  get path(): string {
    if (this.routed === undefined) {
      const target = this.url;
      const query = target.indexOf('?');
      this.routed = query === -1 ? target : target.slice(0, query);
    }
    return this.routed;
  }

  get authorization(): string | readonly string[] | undefined {
    return values(this.request.headers.get('authorization'));
  }

  get dpop(): string | readonly string[] | undefined {
    return values(this.request.headers.get('dpop'));
  }

  get remoteAddress(): string | undefined {
    return this.connection.address;
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined;
  }

  peerCertificate(): Uint8Array | undefined {
    return this.connection.certificate;
  }

  origin(): string | undefined {
    return this.connection.origin;
  }
}

// Fetch joins a repeated header into one value with ", ". Bearer and DPoP credentials (RFC 6750 §2.1
// b64token, a compact JWS) never hold a comma, so a comma means several values: the pipeline then
// refuses them as a duplicated header, as it does on Node's raw headers.
function values(value: string | null): string | readonly string[] | undefined {
  if (value === null) return undefined;
  return value.indexOf(',') === -1 ? value : value.split(',').map((part) => part.trim());
}

const NO_CONNECTION: WebConnection = Object.freeze({});

// `scheme://authority/path?query#fragment` → `/path?query`. A Request's URL is absolute and parsed
// already, so the authority ends at the first `/`, `?` or `#` after `//`.
function targetOf(url: string): string {
  const authority = url.indexOf('//');
  let start = authority === -1 ? 0 : authority + 2;
  while (start < url.length) {
    const c = url.charCodeAt(start);
    if (c === 47 || c === 63 || c === 35) break;
    start++;
  }
  const hash = url.indexOf('#', start);
  const target = hash === -1 ? url.slice(start) : url.slice(start, hash);
  return target.length === 0 || target.charCodeAt(0) !== 47 ? `/${target}` : target;
}
