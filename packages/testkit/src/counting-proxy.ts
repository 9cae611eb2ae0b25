/** A counting reverse proxy in front of the identity provider: tests count token requests where they arrive. */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One request seen by the proxy on its way to the identity provider.
 *
 * @example
 * ```ts
 * const exchanges = proxy.requests.filter((r: SeenRequest) => r.grantType === 'refresh_token');
 * ```
 */
export interface SeenRequest {
  method: string;
  path: string;
  /** `grant_type` of a token request, `undefined` for other requests. */
  grantType: string | undefined;
  /** The form parameters of a form-encoded request (test memory only). */
  params: Record<string, string>;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/**
 * A small HTTP reverse proxy in front of the identity provider that records every request reaching it, so a
 * test can count token requests where they arrive rather than in the client under test.
 *
 * @example
 * ```ts
 * const proxy = await startCountingProxy(idp.issuer);
 * // … point the client's token endpoint at `${proxy.origin}/token`, then:
 * expect(proxy.count('refresh_token')).toBe(1);
 * ```
 */
export interface CountingProxy {
  /** `http://127.0.0.1:<port>` of the proxy. */
  readonly origin: string;
  readonly requests: SeenRequest[];
  /** Token requests with this grant type (`client_credentials`, `refresh_token`…). */
  count(grantType: string): number;
  /** Holds token requests of this grant type for `ms` before forwarding them (a slow provider). */
  delay(grantType: string, ms: number): void;
  reset(): void;
  /**
   * A fetch for `createOidcClient({ fetch })` that sends the client's requests for the provider through the
   * proxy (same path and body).
   */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts a {@link CountingProxy} on a free loopback port that forwards everything to `targetOrigin`.
 *
 * @example
 * ```ts
 * const proxy = await startCountingProxy('http://127.0.0.1:4400');
 * await proxy.close();
 * ```
 */
export async function startCountingProxy(targetOrigin: string): Promise<CountingProxy> {
  const target = new URL(targetOrigin);
  const requests: SeenRequest[] = [];
  const delays = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      const form = type.includes('application/x-www-form-urlencoded')
        ? new URLSearchParams(body.toString('utf8'))
        : new URLSearchParams();
      const grantType = form.get('grant_type') ?? undefined;
      const params = Object.fromEntries(form);
      requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', grantType, params, at: Date.now() });
      const wait = grantType ? (delays.get(grantType) ?? 0) : 0;
      setTimeout(() => forward(body), wait);
    });
    const forward = (body: Buffer) => {
      const headers = { ...req.headers, host: target.host };
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502).end();
      });
      upstream.end(body);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    count: (grantType) => requests.filter((r) => r.grantType === grantType).length,
    delay: (grantType, ms) => {
      delays.set(grantType, ms);
    },
    reset: () => {
      requests.length = 0;
      delays.clear();
    },
    fetch: (url, init) => {
      const rewritten = new URL(url);
      if (rewritten.origin === target.origin) {
        rewritten.protocol = 'http:';
        rewritten.host = new URL(origin).host;
      }
      return fetch(rewritten, init);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
