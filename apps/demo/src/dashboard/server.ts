/** The live page's server: the page (`GET /`) and its data (`GET /series.json`), on loopback. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LiveFeed } from './live-feed.js';
import { PAGE } from './page.js';
import { MetricsSampler, type Target } from './sampler.js';

/** The options of {@link startDashboard}. */
export interface DashboardOptions {
  readonly targets: readonly Target[];
  /** The `Authorization` value of the scrapes; it never reaches the browser. */
  readonly authorization: string;
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly intervalMs?: number;
  /** The window of rates and ratios (default 10 s). */
  readonly windowMs?: number;
  /**
   * An analytics app's `/v1/stream` (a `ws://` URL) and the `Authorization` the demo server opens it with:
   * the page lists the records it pushes. None: no such panel.
   */
  readonly stream?: { readonly url: string; readonly authorization: string };
}

/** A running live page. */
export interface Dashboard {
  readonly url: string;
  readonly sampler: MetricsSampler;
  close(): Promise<void>;
}

/** The page is self-contained: nothing may load from anywhere else. */
const PAGE_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

/** Serves the page and its data on `host:port` and starts sampling; resolves once listening. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { host = '127.0.0.1', port = 0 } = options;
  const sampler = new MetricsSampler(options);
  const feed = options.stream && new LiveFeed(options.stream);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (req.method !== 'GET') {
      res.writeHead(405, headers).end();
    } else if (path === '/') {
      const type = 'text/html; charset=utf-8';
      res
        .writeHead(200, { ...headers, 'content-type': type, 'content-security-policy': PAGE_POLICY })
        .end(PAGE);
    } else if (path === '/series.json') {
      res
        .writeHead(200, { ...headers, 'content-type': 'application/json' })
        .end(JSON.stringify({ ...sampler.snapshot(), stream: feed?.view() }));
    } else {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  sampler.start();
  feed?.start();
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    sampler,
    close: () =>
      new Promise<void>((resolve) => {
        sampler.stop();
        feed?.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
