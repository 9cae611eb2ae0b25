/**
 * The live page: one self-contained HTML document (no outside script, style or font) that polls
 * `series.json` once a second and draws each series on a canvas.
 */
export const PAGE = `<!doctype html>
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
  const decisions = (p) => outcomes.reduce((a, o) => a + (p.outcomes[o] ?? 0), 0);
  document.getElementById('v-decisions').textContent = fmt(last(points, decisions)) + '/s';
  // What the chart shows, for the test that reads it: decisions per second, point by point.
  document.getElementById('chart-decisions').dataset.series = JSON.stringify(points.map(decisions));
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
