// The live metrics page of `npm run demo`: a small HTTP server that scrapes the example apps' `/metrics`
// (with an API key holding the `metrics:read` scope; the key never reaches the browser), keeps the last
// few minutes of rates in memory, and serves one self-contained page that plots them on canvases. No
// outside service, no CDN: everything is in this file.
//
// As a module: `const dashboard = await startDashboard({ targets, authorization, port, host })`.
import { createServer } from 'node:http';

const SAMPLE_EVERY_MS = 1000;
const KEEP_SAMPLES = 180;
const SCRAPE_TIMEOUT_MS = 2000;

/**
 * Parses the Prometheus text format into samples: `{ name, labels, value }`. Comments and `# TYPE`
 * lines are skipped; label values are unescaped.
 */
export function parsePrometheusText(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    const body = match[3] ?? '';
    for (const pair of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]] = pair[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    const value = match[4] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[4]);
    if (!Number.isNaN(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** The totals the page plots, summed over every app: cumulative counters and gauges. */
export function totalsOf(samples) {
  const totals = {
    outcomes: {},
    codes: {},
    buckets: {},
    cache: { hit: 0, miss: 0 },
    jwks: { success: 0, failure: 0 },
    rateLimited: 0,
    revocations: 0,
  };
  for (const { name, labels, value } of samples) {
    switch (name) {
      case 'gatehouse_auth_total':
        totals.outcomes[labels.outcome] = (totals.outcomes[labels.outcome] ?? 0) + value;
        if (labels.outcome !== 'accepted')
          totals.codes[labels.code] = (totals.codes[labels.code] ?? 0) + value;
        break;
      case 'gatehouse_auth_duration_seconds_bucket':
        totals.buckets[labels.le] = (totals.buckets[labels.le] ?? 0) + value;
        break;
      case 'gatehouse_token_cache_total':
        if (labels.result in totals.cache) totals.cache[labels.result] += value;
        break;
      case 'gatehouse_jwks_fetch_total':
        if (labels.result in totals.jwks) totals.jwks[labels.result] += value;
        break;
      case 'gatehouse_rate_limited_total':
        totals.rateLimited += value;
        break;
      case 'gatehouse_revocations':
        totals.revocations += value;
        break;
    }
  }
  return totals;
}

/** The `q` quantile of a histogram from cumulative bucket counts (`le` → count), as PromQL computes it. */
export function quantile(q, buckets) {
  const bounds = Object.keys(buckets)
    .map((le) => ({ le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: buckets[le] }))
    .sort((a, b) => a.le - b.le);
  const total = bounds.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let previous = { le: 0, count: 0 };
  for (const bound of bounds) {
    if (bound.count >= rank) {
      if (bound.le === Number.POSITIVE_INFINITY) return previous.le;
      const inBucket = bound.count - previous.count;
      return previous.le + (bound.le - previous.le) * (inBucket > 0 ? (rank - previous.count) / inBucket : 1);
    }
    previous = bound;
  }
  return previous.le;
}

const diff = (now, before) => Math.max(0, now - (before ?? 0));

/** One point of every plotted series, from two consecutive totals `dt` seconds apart. */
export function pointOf(now, before, dt, time) {
  const rates = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, diff(a[k], b?.[k]) / dt]));
  const buckets = Object.fromEntries(
    Object.keys(now.buckets).map((le) => [le, diff(now.buckets[le], before.buckets[le])]),
  );
  const hits = diff(now.cache.hit, before.cache.hit);
  const lookups = hits + diff(now.cache.miss, before.cache.miss);
  const ms = (q) => {
    const v = quantile(q, buckets);
    return v === null ? null : v * 1000;
  };
  return {
    time,
    outcomes: rates(now.outcomes, before.outcomes),
    codes: rates(now.codes, before.codes),
    latencyMs: { p50: ms(0.5), p99: ms(0.99) },
    cacheHitRatio: lookups > 0 ? hits / lookups : null,
    jwks: {
      success: diff(now.jwks.success, before.jwks.success),
      failure: diff(now.jwks.failure, before.jwks.failure),
    },
    rateLimited: diff(now.rateLimited, before.rateLimited) / dt,
    revocations: now.revocations,
  };
}

/**
 * Scrapes `targets` every second and keeps the last three minutes of points.
 * `targets`: `[{ name, url }]` (the app's origin); `authorization`: the `Authorization` header value.
 */
export class MetricsSampler {
  constructor({ targets, authorization, intervalMs = SAMPLE_EVERY_MS }) {
    this.targets = targets;
    this.authorization = authorization;
    this.intervalMs = intervalMs;
    this.points = [];
    this.apps = targets.map((t) => ({ name: t.name, url: t.url, metrics: 'unknown', ready: 'unknown' }));
    this.previous = undefined;
    this.timer = undefined;
  }

  start() {
    const tick = () => {
      this.sample().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async sample() {
    const time = Date.now();
    const texts = await Promise.all(
      this.targets.map(async (target, i) => {
        const app = this.apps[i];
        const [metrics, ready] = await Promise.allSettled([
          get(`${target.url}/metrics`, { authorization: this.authorization }),
          get(`${target.url}/ready`, {}),
        ]);
        app.metrics = metrics.status === 'fulfilled' ? String(metrics.value.status) : 'down';
        app.ready =
          ready.status === 'fulfilled'
            ? ready.value.status === 200
              ? 'ready'
              : `not ready: ${describeMissing(ready.value.body)}`
            : 'down';
        return metrics.status === 'fulfilled' && metrics.value.status === 200 ? metrics.value.body : '';
      }),
    );
    const totals = totalsOf(texts.flatMap(parsePrometheusText));
    if (this.previous !== undefined) {
      const dt = Math.max(0.001, (time - this.previous.time) / 1000);
      this.points.push(pointOf(totals, this.previous.totals, dt, time));
      if (this.points.length > KEEP_SAMPLES) this.points.shift();
    }
    this.previous = { time, totals };
  }

  snapshot() {
    return { apps: this.apps, points: this.points };
  }
}

function describeMissing(body) {
  try {
    const missing = JSON.parse(body).missing ?? [];
    return missing.map((m) => m.issuer ?? m.component).join(', ') || 'unknown';
  } catch {
    return 'unknown';
  }
}

async function get(url, headers) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  return { status: res.status, body: await res.text() };
}

/**
 * Serves the page (`GET /`) and its data (`GET /series.json`) on `host:port` (0 picks a free port).
 * Resolves with `{ url, close }` once listening.
 */
export async function startDashboard({ targets, authorization, host = '127.0.0.1', port = 0, intervalMs }) {
  const sampler = new MetricsSampler({ targets, authorization, intervalMs });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (req.method !== 'GET') {
      res.writeHead(405, headers).end();
    } else if (path === '/') {
      res
        .writeHead(200, {
          ...headers,
          'content-type': 'text/html; charset=utf-8',
          // The page is self-contained: nothing may load from anywhere else.
          'content-security-policy':
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        })
        .end(PAGE);
    } else if (path === '/series.json') {
      res
        .writeHead(200, { ...headers, 'content-type': 'application/json' })
        .end(JSON.stringify(sampler.snapshot()));
    } else {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  sampler.start();
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    sampler,
    close: () =>
      new Promise((resolve) => {
        sampler.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Gatehouse demo: live metrics</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { color-scheme: dark; --bg: #0f172a; --panel: #111c33; --line: #24324f; --text: #e2e8f0; --muted: #94a3b8; }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, sans-serif; }
  header { padding: 16px 24px 8px; display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
  h1 { font-size: 18px; margin: 0; font-weight: 600; }
  #apps { display: flex; gap: 12px; flex-wrap: wrap; color: var(--muted); }
  .app { padding: 2px 8px; border: 1px solid var(--line); border-radius: 6px; }
  .app.ready { border-color: #15803d; } .app.bad { border-color: #b91c1c; }
  main { display: grid; grid-template-columns: repeat(3, minmax(300px, 1fr)); gap: 16px; padding: 8px 24px 24px; }
  section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
  h2 { font-size: 13px; font-weight: 600; margin: 0 0 6px; color: var(--muted); display: flex; justify-content: space-between; }
  h2 b { color: var(--text); font-weight: 600; }
  canvas { width: 100%; height: 180px; display: block; }
  .legend { display: flex; gap: 10px; flex-wrap: wrap; font-size: 12px; color: var(--muted); min-height: 18px; }
  .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
  @media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header><h1>Gatehouse: live metrics of the demo apps</h1><div id="apps">waiting for the first scrape…</div></header>
<main>
  <section><h2>Decisions per second, by outcome <b id="v-decisions"></b></h2><canvas id="chart-decisions"></canvas><div class="legend" id="l-decisions"></div></section>
  <section><h2>Refusals per second, by reason <b id="v-refusals"></b></h2><canvas id="chart-refusals"></canvas><div class="legend" id="l-refusals"></div></section>
  <section><h2>Decision latency (ms) <b id="v-latency"></b></h2><canvas id="chart-latency"></canvas><div class="legend" id="l-latency"></div></section>
  <section><h2>Token cache hit ratio (%) <b id="v-cache"></b></h2><canvas id="chart-cache"></canvas><div class="legend" id="l-cache"></div></section>
  <section><h2>JWKS fetches per second, by result <b id="v-jwks"></b></h2><canvas id="chart-jwks"></canvas><div class="legend" id="l-jwks"></div></section>
  <section><h2>Rate-limited requests per second <b id="v-limited"></b></h2><canvas id="chart-limited"></canvas><div class="legend" id="l-limited"></div></section>
</main>
<script>
"use strict";
const PALETTE = ['#22c55e', '#f97316', '#ef4444', '#38bdf8', '#a78bfa', '#facc15', '#f472b6', '#2dd4bf'];
const OUTCOME_COLORS = { accepted: '#22c55e', rejected: '#f97316', unavailable: '#ef4444' };
// The x axis spans the data seen so far, from 10 s up to the 3 minutes the server keeps.
const MIN_WINDOW_MS = 10000;
const MAX_WINDOW_MS = 180000;

function draw(id, points, series, options = {}) {
  const canvas = document.getElementById('chart-' + id);
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== width * ratio) { canvas.width = width * ratio; canvas.height = height * ratio; }
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const left = 44, right = 8, top = 8, bottom = 20;
  const plotW = width - left - right, plotH = height - top - bottom;
  const end = points.length ? points[points.length - 1].time : Date.now();
  const span = points.length ? end - points[0].time : 0;
  const windowMs = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, span));
  const start = end - windowMs;
  let max = options.max ?? 0;
  for (const s of series) for (const p of points) { const v = s.value(p); if (v != null && v > max) max = v; }
  if (max <= 0) max = 1;
  if (options.max === undefined) max *= 1.15;
  g.strokeStyle = '#24324f'; g.fillStyle = '#94a3b8'; g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(left + plotW, y); g.stroke();
    const label = (max * i) / 4;
    g.fillText(label >= 10 ? label.toFixed(0) : label.toFixed(label >= 1 ? 1 : 2), 4, y + 4);
  }
  g.fillText('-' + Math.round(windowMs / 1000) + ' s', left, height - 4);
  g.fillText('now', left + plotW - 22, height - 4);
  const x = (t) => left + ((t - start) / windowMs) * plotW;
  const y = (v) => top + plotH - (Math.min(v, max) / max) * plotH;
  series.forEach((s) => {
    g.strokeStyle = s.color; g.lineWidth = 2; g.beginPath();
    let drawing = false;
    for (const p of points) {
      const v = s.value(p);
      if (v == null) { drawing = false; continue; }
      if (!drawing) { g.moveTo(x(p.time), y(v)); drawing = true; } else g.lineTo(x(p.time), y(v));
    }
    g.stroke();
    if (s.fill) {
      g.globalAlpha = 0.15; g.fillStyle = s.color; g.beginPath();
      let first = true;
      for (const p of points) { const v = s.value(p) ?? 0; if (first) { g.moveTo(x(p.time), y(0)); first = false; } g.lineTo(x(p.time), y(v)); }
      if (!first) { g.lineTo(x(points[points.length - 1].time), y(0)); g.closePath(); g.fill(); }
      g.globalAlpha = 1;
    }
  });
  document.getElementById('l-' + id).innerHTML = series
    .map((s) => '<span><i style="background:' + s.color + '"></i>' + escapeHtml(s.name) + '</span>').join('');
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
}

function keysOf(points, field) {
  const keys = new Set();
  for (const p of points) for (const k of Object.keys(p[field])) if (p[field][k] > 0) keys.add(k);
  return [...keys].sort();
}

function last(points, value) {
  for (let i = points.length - 1; i >= 0; i--) { const v = value(points[i]); if (v != null) return v; }
  return null;
}

function fmt(v, digits = 1) { return v == null ? '–' : v.toFixed(digits); }

function render({ apps, points }) {
  document.getElementById('apps').innerHTML = apps.map((a) =>
    '<span class="app ' + (a.ready === 'ready' && a.metrics === '200' ? 'ready' : 'bad') + '">' + escapeHtml(a.name) +
    ': ' + escapeHtml(a.ready) + ', /metrics ' + escapeHtml(a.metrics) + '</span>').join('');
  const outcomes = ['accepted', 'rejected', 'unavailable'];
  draw('decisions', points, outcomes.map((o) => ({ name: o, color: OUTCOME_COLORS[o], fill: true, value: (p) => p.outcomes[o] ?? 0 })));
  document.getElementById('v-decisions').textContent = fmt(last(points, (p) => outcomes.reduce((a, o) => a + (p.outcomes[o] ?? 0), 0))) + '/s';
  const codes = keysOf(points, 'codes');
  draw('refusals', points, codes.map((c, i) => ({ name: c, color: PALETTE[(i + 1) % PALETTE.length], value: (p) => p.codes[c] ?? 0 })));
  document.getElementById('v-refusals').textContent = fmt(last(points, (p) => Object.values(p.codes).reduce((a, b) => a + b, 0))) + '/s';
  draw('latency', points, [
    { name: 'p50', color: '#38bdf8', value: (p) => p.latencyMs.p50 },
    { name: 'p99', color: '#a78bfa', value: (p) => p.latencyMs.p99 },
  ]);
  document.getElementById('v-latency').textContent = 'p99 ' + fmt(last(points, (p) => p.latencyMs.p99), 2) + ' ms';
  draw('cache', points, [{ name: 'hits / lookups', color: '#22c55e', fill: true, value: (p) => (p.cacheHitRatio == null ? null : p.cacheHitRatio * 100) }], { max: 100 });
  document.getElementById('v-cache').textContent = fmt(last(points, (p) => (p.cacheHitRatio == null ? null : p.cacheHitRatio * 100))) + ' %';
  draw('jwks', points, [
    { name: 'success', color: '#22c55e', value: (p) => p.jwks.success },
    { name: 'failure', color: '#ef4444', value: (p) => p.jwks.failure },
  ]);
  document.getElementById('v-jwks').textContent = fmt(points.reduce((a, p) => a + p.jwks.failure, 0), 0) + ' failed';
  draw('limited', points, [{ name: '429 answers', color: '#facc15', fill: true, value: (p) => p.rateLimited }]);
  document.getElementById('v-limited').textContent = fmt(last(points, (p) => p.rateLimited)) + '/s';
  document.body.dataset.points = String(points.length);
}

async function refresh() {
  try {
    const res = await fetch('series.json', { cache: 'no-store' });
    if (res.ok) render(await res.json());
  } catch {
    // the demo is stopping; try again
  }
  setTimeout(refresh, 1000);
}
refresh();
</script>
</body>
</html>
`;
