/**
 * The one set-up of the connection tests: a test issuer (real keys, a JWKS on loopback), a gate that
 * trusts it and an API key, an HTTP server on 127.0.0.1:0, and a WebSocket client that reports either
 * the open socket with its first message or the HTTP answer that refused the upgrade.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/index.js';
import { KeyServer } from '../helpers/key-server.js';

export const API_KEY = { name: 'exporter', key: 'exporter-key-0123456789' };

/** A gate trusting `issuer` and the API key {@link API_KEY} (metrics:read). */
export function gateFor(issuer: KeyServer, options: GatehouseOptions = {}): Gatehouse {
  return createGatehouse({
    oidc: oidcOf(issuer),
    apiKeys: [{ ...API_KEY, scopes: ['metrics:read'] }],
    ...options,
  });
}

/**
 * The OIDC options trusting `issuer`; with `clockToleranceSecs: 0`, connections close right at `exp`
 * (their grace is the clock tolerance).
 */
export function oidcOf(issuer: KeyServer, clockToleranceSecs?: number): GatehouseOptions['oidc'] {
  return { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }], clockToleranceSecs };
}

export async function startIssuer(): Promise<KeyServer> {
  return KeyServer.start();
}

/** An HTTP server on a free loopback port (every request 404s unless a test adds a handler). */
export async function startServer(): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => void res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a WebSocket handshake ended with. */
export type Connected =
  | {
      readonly ok: true;
      readonly ws: WebSocket;
      readonly first: unknown;
      readonly responseHeaders: IncomingHttpHeaders;
    }
  | {
      readonly ok: false;
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      readonly body: unknown;
    };

/** Opens a WebSocket and waits for its first message, or reads the HTTP answer that refused it. */
export function connect(
  url: string,
  options: { protocols?: string[]; headers?: Record<string, string> } = {},
): Promise<Connected> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    let responseHeaders: IncomingHttpHeaders = {};
    ws.once('upgrade', (res) => {
      responseHeaders = res.headers;
    });
    ws.once('message', (data) => resolve({ ok: true, ws, first: JSON.parse(String(data)), responseHeaders }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk;
      });
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        resolve({ ok: false, status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    ws.once('error', (err) => reject(err));
  });
}

/** Resolves with the close code and reason, and how long after `since` (ms) the socket closed. */
export function closed(
  ws: WebSocket,
  since = Date.now(),
): Promise<{ code: number; reason: string; afterMs: number }> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve({ code: 1006, reason: '', afterMs: 0 });
    ws.once('close', (code, reason) =>
      resolve({ code, reason: String(reason), afterMs: Date.now() - since }),
    );
  });
}

/** The next message on `ws`, parsed. */
export function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
}

/** `gatehouse.bearer.<base64url>` as a browser would offer it (written here, independently of the client package). */
export const bearerProtocol = (token: string) =>
  `gatehouse.bearer.${Buffer.from(token).toString('base64url')}`;
