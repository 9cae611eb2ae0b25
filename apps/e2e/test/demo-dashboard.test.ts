/**
 * The live metrics page of `npm run demo` (apps/demo/src/dashboard): its Prometheus parsing and
 * rates, and, in Debian's chromium, that it really plots what a scraped app records. The app here is a
 * real HTTP server whose /metrics is the Prometheus text of Gatehouse's DecisionRecorder (what
 * `routes: true` serves), behind a bearer key like the real apps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  createAuthContext,
  DecisionRecorder,
  type ObservedKeySet,
  PROMETHEUS_CONTENT_TYPE,
  prometheusText,
  TokenExpiredError,
  UnknownIssuerError,
} from '@gatehouse/core';
import {
  parsePrometheusText,
  pointOf,
  quantile,
  RateWindow,
  startDashboard,
  totalsOf,
} from '@gatehouse/demo';
import { hasChromium, launchChromium, screenshotPixels, stayOnLoopback } from '@gatehouse/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/processes.js';

const SCRAPER_KEY = 'scraper-key-for-the-dashboard-test';

describe('demo dashboard: reading Prometheus text', () => {
  it('parses samples, labels with escapes, and +Inf', () => {
    const samples = parsePrometheusText(
      [
        '# HELP gatehouse_auth_total Authentication decisions',
        '# TYPE gatehouse_auth_total counter',
        'gatehouse_auth_total{outcome="rejected",code="unknown_issuer",auth_type="oidc",issuer="a\\"b"} 3',
        'gatehouse_auth_duration_seconds_bucket{outcome="accepted",le="+Inf"} 7',
        'gatehouse_revocations 2',
      ].join('\n'),
    );
    expect(samples).toEqual([
      {
        name: 'gatehouse_auth_total',
        labels: { outcome: 'rejected', code: 'unknown_issuer', auth_type: 'oidc', issuer: 'a"b' },
        value: 3,
      },
      {
        name: 'gatehouse_auth_duration_seconds_bucket',
        labels: { outcome: 'accepted', le: '+Inf' },
        value: 7,
      },
      { name: 'gatehouse_revocations', labels: {}, value: 2 },
    ]);
  });

  it('computes quantiles like histogram_quantile', () => {
    expect(quantile(0.5, { '0.001': 50, '0.01': 100, '+Inf': 100 })).toBeCloseTo(0.001);
    expect(quantile(0.75, { '0.001': 50, '0.01': 100, '+Inf': 100 })).toBeCloseTo(0.0055);
    expect(quantile(0.99, { '0.001': 0, '+Inf': 10 })).toBe(0.001);
    expect(quantile(0.5, { '+Inf': 0 })).toBeNull();
  });

  it('turns two scrapes into rates, a hit ratio and fetch counts', () => {
    const at = (accepted: number, hits: number, failures: number) =>
      totalsOf(
        parsePrometheusText(
          [
            `gatehouse_auth_total{outcome="accepted",code="ok",auth_type="api_key",issuer="api_key"} ${accepted}`,
            `gatehouse_token_cache_total{result="hit"} ${hits}`,
            'gatehouse_token_cache_total{result="miss"} 10',
            `gatehouse_jwks_fetch_total{issuer="x",result="failure"} ${failures}`,
          ].join('\n'),
        ),
      );
    const point = pointOf(at(30, 19, 3), at(10, 10, 1), 2, 0);
    expect(point.outcomes).toEqual({ accepted: 10 });
    expect(point.cacheHitRatio).toBe(1);
    expect(point.jwks).toEqual({ success: 0, failure: 2 });
  });
});

describe('demo dashboard: rates over a sliding window (issue 25)', () => {
  const decisions = (accepted: number, lookups = 0) =>
    totalsOf(
      parsePrometheusText(
        [
          `gatehouse_auth_total{outcome="accepted",code="ok",auth_type="api_key",issuer="api_key"} ${accepted}`,
          `gatehouse_token_cache_total{result="hit"} ${lookups}`,
          'gatehouse_token_cache_total{result="miss"} 0',
          `gatehouse_auth_duration_seconds_bucket{outcome="accepted",le="0.001"} ${lookups}`,
          `gatehouse_auth_duration_seconds_bucket{outcome="accepted",le="+Inf"} ${lookups}`,
        ].join('\n'),
      ),
    );
  /** Bursts of 7 decisions every 1.5 s (a period that does not divide the window), scraped every second. */
  const scrapes = () =>
    Array.from({ length: 61 }, (_, i) => ({ time: i * 1000, totals: decisions(7 * Math.floor(i / 1.5)) }));
  const ratios = (values: number[]) =>
    values.slice(1).map((v, i) => Math.max(v, values[i]!) / Math.min(v, values[i]!));

  it('turns steady bursts into a steady rate, where a rate over one scrape saws', () => {
    const window = new RateWindow(10_000);
    const smooth = scrapes().flatMap(({ time, totals }) => window.add(time, totals)?.outcomes.accepted ?? []);
    expect(smooth.length).toBeGreaterThanOrEqual(50);
    expect(Math.max(...ratios(smooth))).toBeLessThan(1.2);
    expect(smooth.at(-1)).toBeCloseTo(7 / 1.5, 0);
    // The same scrapes, one at a time (the page before): 0 ↔ 7 decisions per second.
    const perScrape = new RateWindow(1000);
    const sawing = scrapes().flatMap(
      ({ time, totals }) => perScrape.add(time, totals)?.outcomes.accepted ?? [],
    );
    expect(Math.min(...sawing)).toBe(0);
  });

  it('gives no point until the scrapes span the window', () => {
    const window = new RateWindow(10_000);
    const points = scrapes()
      .slice(0, 12)
      .map(({ time, totals }) => window.add(time, totals));
    expect(points.slice(0, 10).every((p) => p === undefined)).toBe(true);
    expect(points[10]?.time).toBe(10_000);
  });

  it('has no ratio and no latency where nothing happened: a gap, not a zero', () => {
    const quiet = pointOf(decisions(5, 3), decisions(5, 3), 10, 0);
    expect(quiet.cacheHitRatio).toBeNull();
    expect(quiet.latencyMs).toEqual({ p50: null, p99: null });
    expect(quiet.outcomes).toEqual({ accepted: 0 }); // a rate of nothing is a real zero
    const busy = pointOf(decisions(15, 8), decisions(5, 3), 10, 0);
    expect(busy.cacheHitRatio).toBe(1);
    expect(busy.latencyMs.p99).not.toBeNull();
  });
});

/** A stand-in app: /metrics (Bearer SCRAPER_KEY only) from a DecisionRecorder it feeds on demand. */
async function startScrapedApp(): Promise<{
  url: string;
  recorder: DecisionRecorder;
  cache: { hits: number; misses: number };
  scrapes: { authorized: number; refused: number };
  close(): Promise<void>;
}> {
  const cache = { hits: 0, misses: 0 };
  const keySet: ObservedKeySet = {
    issuer: 'https://idp.example.com',
    loaded: true,
    fetches: { success: 1, failure: 0 },
    ageSecs: () => 5,
    refresh: () => Promise.resolve(),
  };
  const recorder = new DecisionRecorder({
    issuers: [keySet.issuer],
    insight: () => ({ keySets: [keySet], tokenCaches: [cache] }),
    histogram: true,
  });
  const scrapes = { authorized: 0, refused: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url === '/ready') return void res.writeHead(200).end('{"status":"ready"}');
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${SCRAPER_KEY}`) {
      scrapes.refused++;
      return void res.writeHead(401).end();
    }
    scrapes.authorized++;
    res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(prometheusText(recorder));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    recorder,
    cache,
    scrapes,
    close: async () => {
      recorder.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!hasChromium)('demo dashboard in chromium', () => {
  let app: Awaited<ReturnType<typeof startScrapedApp>>;
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;
  let browser: Browser;
  let traffic: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    app = await startScrapedApp();
    dashboard = await startDashboard({
      targets: [{ name: 'stand-in', url: app.url }],
      authorization: `Bearer ${SCRAPER_KEY}`,
      // Five times the demo's pace: a scrape every 200 ms, rates over 2 s.
      intervalMs: 200,
      windowMs: 2000,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    clearInterval(traffic);
    await browser?.close();
    await dashboard?.close();
    await app?.close();
  });

  it('draws nothing before any decision, then plots decisions, refusals and latency as they happen', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await stayOnLoopback(page);
    const outside: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(dashboard.url)) outside.push(req.url());
    });
    await page.goto(dashboard.url);
    await page.waitForFunction(() => Number(document.body.dataset.points) >= 2);
    const decisions = page.locator('#chart-decisions');
    const before = await screenshotPixels(decisions, '#22c55e');
    expect(before.ofColor).toBeLessThan(20); // grid and labels only: no accepted-green line yet

    const alice = createAuthContext({
      subject: 'alice',
      issuer: 'https://idp.example.com',
      authType: 'oidc',
    });
    traffic = setInterval(() => {
      for (let i = 0; i < 20; i++) app.recorder.accepted(alice);
      app.recorder.refused(new TokenExpiredError('https://idp.example.com', 1));
      for (let i = 0; i < 3; i++) {
        app.recorder.refused(new UnknownIssuerError('https://evil.example'));
      }
      for (let i = 0; i < 24; i++) app.recorder.timeSince(app.recorder.start());
      app.cache.hits += 19;
      app.cache.misses += 1;
    }, 50);
    // Fifteen more samples after the traffic started (the page counts what it drew): the 2 s window is then
    // full of traffic, and each series a line of some length (a steady rate is a flat line, not a zigzag).
    const drawnBefore = Number(await page.evaluate(() => document.body.dataset.points));
    await page.waitForFunction((n) => Number(document.body.dataset.points) >= n + 15, drawnBefore);

    const after = await screenshotPixels(decisions, '#22c55e');
    const refusals = await screenshotPixels(page.locator('#chart-refusals'), '#f97316');
    const latency = await screenshotPixels(page.locator('#chart-latency'), '#a78bfa');
    const cache = await screenshotPixels(page.locator('#chart-cache'), '#22c55e');
    const full = await page.screenshot({ fullPage: true });
    const dir = join(REPO_ROOT, 'apps/e2e/.artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'demo-dashboard.png'), full);

    expect(after.ofColor).toBeGreaterThan(100);
    expect(after.notBackground).toBeGreaterThan(before.notBackground + 100);
    expect(refusals.ofColor).toBeGreaterThan(50);
    expect(latency.ofColor).toBeGreaterThan(50);
    expect(cache.ofColor).toBeGreaterThan(50);
    expect(await page.locator('#v-cache').textContent()).toBe('95.0 %');
    expect(await page.locator('#l-refusals').textContent()).toContain('token_expired');
    expect(await page.locator('#l-refusals').textContent()).toContain('unknown_issuer');
    expect(await page.locator('#apps').textContent()).toContain('stand-in: ready, /metrics 200');
    expect(app.scrapes.authorized).toBeGreaterThan(10);
    expect(app.scrapes.refused).toBe(0);
    expect(outside).toEqual([]);
  });

  it('never hands the scraper key to the browser', async () => {
    const res = await fetch(dashboard.url);
    const page = await res.text();
    const series = await (await fetch(`${dashboard.url}/series.json`)).text();
    expect(page).not.toContain(SCRAPER_KEY);
    expect(series).not.toContain(SCRAPER_KEY);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
