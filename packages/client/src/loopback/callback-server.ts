import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '@gatehouse/core';
import {
  CallbackPortInUseError,
  InvalidOptionsError,
  LoginCancelledError,
  LoginTimeoutError,
} from '../errors.js';
import { callbackPage, type PageKind } from './pages.js';

/**
 * Default loopback callback port (register `http://127.0.0.1:48080/callback` at your provider).
 *
 * @example
 * ```ts
 * import { DEFAULT_CALLBACK_PORT } from '@gatehouse/client';
 * const redirectUri = `http://127.0.0.1:${DEFAULT_CALLBACK_PORT}/callback`;
 * ```
 */
export const DEFAULT_CALLBACK_PORT = 48080;
/**
 * Default loopback callback host.
 *
 * @example
 * ```ts
 * import { DEFAULT_CALLBACK_HOST, startCallbackServer } from '@gatehouse/client';
 * const server = await startCallbackServer({ host: DEFAULT_CALLBACK_HOST, port: 0 });
 * ```
 */
export const DEFAULT_CALLBACK_HOST = '127.0.0.1';
/**
 * Default callback path.
 *
 * @example
 * ```ts
 * import { DEFAULT_CALLBACK_PATH } from '@gatehouse/client';
 * console.log(DEFAULT_CALLBACK_PATH); // /callback
 * ```
 */
export const DEFAULT_CALLBACK_PATH = '/callback';
/**
 * How long a login waits for the browser, seconds.
 *
 * @example
 * ```ts
 * import { DEFAULT_LOGIN_TIMEOUT_SECS } from '@gatehouse/client';
 * const minutes = DEFAULT_LOGIN_TIMEOUT_SECS / 60; // 5
 * ```
 */
export const DEFAULT_LOGIN_TIMEOUT_SECS = 300;

/**
 * Options of {@link startCallbackServer}.
 *
 * @example
 * ```ts
 * import type { CallbackServerOptions } from '@gatehouse/client';
 * const options: CallbackServerOptions = { port: 0, expectedState: 'xyz', timeoutSecs: 120 };
 * ```
 */
export interface CallbackServerOptions {
  /** A loopback address to bind. Default `127.0.0.1`. */
  host?: string;
  /** The port; `0` picks a free one. Default 48080. */
  port?: number;
  /** The callback path. Default `/callback`. */
  path?: string;
  /** Only a callback carrying this `state` is accepted; others get a 400 page and the server keeps waiting. */
  expectedState?: string;
  /** Gives up after this many seconds. Default 300. */
  timeoutSecs?: number;
  /** Aborting (Ctrl-C) closes the server and rejects with {@link LoginCancelledError}. */
  signal?: AbortSignal;
}

/**
 * A running loopback callback server.
 *
 * @example
 * ```ts
 * import { type CallbackServer, startCallbackServer } from '@gatehouse/client';
 * const server: CallbackServer = await startCallbackServer({ port: 0 });
 * await server.close();
 * ```
 */
export interface CallbackServer {
  /** The `redirect_uri` to send in the authorization request. */
  readonly redirectUri: string;
  /** The bound port. */
  readonly port: number;
  /** Resolves with the callback URL once one callback has arrived; the server is closed by then. */
  waitForCallback(): Promise<URL>;
  /** Closes the server (idempotent). */
  close(): Promise<void>;
}

/**
 * Starts a loopback HTTP server that serves exactly one OAuth callback, shows a "you can close this tab" page
 * and shuts down; also on timeout or abort.
 *
 * @example
 * ```ts
 * import { startCallbackServer } from '@gatehouse/client';
 *
 * const server = await startCallbackServer({ port: 0, expectedState: 'xyz' });
 * console.log(server.redirectUri); // http://127.0.0.1:PORT/callback
 * const callbackUrl = await server.waitForCallback();
 * ```
 */
export async function startCallbackServer(options: CallbackServerOptions = {}): Promise<CallbackServer> {
  const host = options.host ?? DEFAULT_CALLBACK_HOST;
  const port = options.port ?? DEFAULT_CALLBACK_PORT;
  const path = options.path ?? DEFAULT_CALLBACK_PATH;
  const timeoutSecs = options.timeoutSecs ?? DEFAULT_LOGIN_TIMEOUT_SECS;
  if (!isLoopbackHost(host)) {
    throw new InvalidOptionsError('host', `"host" must be a loopback address, got "${host}"`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionsError('port', `"port" must be an integer between 0 and 65535, got ${port}`);
  }
  if (!path.startsWith('/')) throw new InvalidOptionsError('path', '"path" must start with "/"');
  if (!(timeoutSecs > 0)) throw new InvalidOptionsError('timeoutSecs', '"timeoutSecs" must be positive');
  if (options.signal?.aborted) throw new LoginCancelledError();

  let settle: { resolve: (url: URL) => void; reject: (err: Error) => void } | undefined;
  const result = new Promise<URL>((resolve, reject) => {
    settle = { resolve, reject };
  });
  result.catch(() => {}); // reported through waitForCallback(); never an unhandled rejection
  let done = false;

  const server = createServer((req, res) => {
    handle(req, res);
  });

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost'); // never trust the Host header
    const refusal = refuse(url, req.method);
    if (refusal) {
      send(res, refusal.status, callbackPage(refusal.page));
      return;
    }
    const error = url.searchParams.get('error');
    done = true;
    const callbackUrl = new URL(`${redirectUri}${url.search}`);
    send(res, 200, error ? callbackPage('error', error) : callbackPage('success'), () => {
      void finish(() => settle?.resolve(callbackUrl));
    });
  };

  const refuse = (url: URL, method: string | undefined): { status: number; page: PageKind } | undefined => {
    if (url.pathname !== path) return { status: 404, page: 'not-found' };
    if (method !== 'GET') return { status: 405, page: 'not-found' };
    const params = url.searchParams;
    if (!params.has('code') && !params.has('error')) return { status: 400, page: 'not-found' };
    if (done) return { status: 409, page: 'already-used' };
    // A callback that is not ours (stale tab, forged link): refuse it and keep waiting for the real one.
    if (options.expectedState !== undefined && params.get('state') !== options.expectedState) {
      return { status: 400, page: 'wrong-state' };
    }
    return undefined;
  };

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new CallbackPortInUseError(host, port));
      else
        reject(
          new InvalidOptionsError('port', `cannot listen on ${host}:${port} (${err.code ?? err.message})`),
        );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const redirectUri = `http://${hostPart}:${bound}${path}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  const finish = async (after: () => void): Promise<void> => {
    done = true;
    await close();
    after();
  };
  const timer = setTimeout(() => {
    void finish(() => settle?.reject(new LoginTimeoutError(timeoutSecs)));
  }, timeoutSecs * 1000);
  timer.unref();
  const onAbort = () => {
    void finish(() => settle?.reject(new LoginCancelledError()));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    redirectUri,
    port: bound,
    waitForCallback: () => result,
    close,
  };
}

function send(res: ServerResponse, status: number, html: string, then?: () => void): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(html, then);
}
