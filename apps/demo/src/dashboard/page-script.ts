/**
 * The live page's script (plain browser JavaScript, inlined into the page): it polls `series.json` once a
 * second and draws each series. Every value is already a rate over the server's sliding window, and a
 * ratio is null where there was nothing to divide: the page draws a gap there, never a zero.
 */
export const PAGE_SCRIPT = `"use strict";
const PALETTE = ['#22c55e', '#f97316', '#ef4444', '#38bdf8', '#a78bfa', '#facc15', '#f472b6', '#2dd4bf'];
const OUTCOME_COLORS = { accepted: '#22c55e', rejected: '#f97316', unavailable: '#ef4444' };
// The x axis spans the data so far in steps (10 s, 30 s, 1 min, 3 min): it changes three times, not with
// every sample.
const SPANS_MS = [10000, 30000, 60000, 180000];
// Each chart's y axis: a round number above all it shows, kept until the data outgrows it or falls to a
// quarter of it.
const axes = {};

function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * (1 - 1e-9)) return m * p;
  return 10 * p;
}

function axisMax(id, points, series, fixed) {
  if (fixed !== undefined) return fixed;
  let max = 0;
  for (const s of series) for (const p of points) { const v = s.value(p); if (v != null && v > max) max = v; }
  const wanted = max > 0 ? niceCeil(max * 1.1) : 1;
  const kept = axes[id];
  axes[id] = kept === undefined || wanted > kept || wanted * 4 <= kept ? wanted : kept;
  return axes[id];
}

/** The runs of consecutive points where the series has a value. */
function runsOf(points, value) {
  const runs = [];
  let run = [];
  for (const p of points) {
    const v = value(p);
    if (v == null) { if (run.length) runs.push(run); run = []; } else run.push([p.time, v]);
  }
  if (run.length) runs.push(run);
  return runs;
}

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
  const windowMs = SPANS_MS.find((s) => s >= span) ?? SPANS_MS[SPANS_MS.length - 1];
  const start = end - windowMs;
  const max = axisMax(id, points, series, options.max);
  // What the chart shows, for tests: its scale, and the sum of its series at each point.
  canvas.dataset.axisMax = String(max);
  canvas.dataset.series = JSON.stringify(points.map((p) => {
    const values = series.map((s) => s.value(p)).filter((v) => v != null);
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  }));
  g.strokeStyle = '#24324f'; g.fillStyle = '#94a3b8'; g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(left + plotW, y); g.stroke();
    // Three significant digits at most: 0.005 and 0.015 stay apart, 125 stays 125.
    g.fillText(String(Number(((max * i) / 4).toPrecision(3))), 4, y + 4);
  }
  g.fillText('-' + Math.round(windowMs / 1000) + ' s', left, height - 4);
  g.fillText('now', left + plotW - 22, height - 4);
  const x = (t) => left + ((t - start) / windowMs) * plotW;
  const y = (v) => top + plotH - (Math.min(v, max) / max) * plotH;
  for (const s of series) {
    for (const run of runsOf(points, s.value)) {
      g.strokeStyle = s.color; g.lineWidth = 2; g.beginPath();
      run.forEach(([t, v], i) => (i === 0 ? g.moveTo(x(t), y(v)) : g.lineTo(x(t), y(v))));
      g.stroke();
      if (!s.fill) continue;
      g.globalAlpha = 0.15; g.fillStyle = s.color; g.beginPath();
      g.moveTo(x(run[0][0]), y(0));
      for (const [t, v] of run) g.lineTo(x(t), y(v));
      g.lineTo(x(run[run.length - 1][0]), y(0)); g.closePath(); g.fill();
      g.globalAlpha = 1;
    }
  }
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

function renderStream(stream) {
  const section = document.getElementById('stream');
  if (!stream) return;
  section.hidden = false;
  document.getElementById('v-stream').textContent = stream.state;
  document.getElementById('entries').innerHTML = stream.entries.map((e) =>
    '<li><span class="level">' + escapeHtml(e.level) + '</span> ' + escapeHtml(e.timestamp.slice(11, 19)) + ' ' +
    escapeHtml(e.processId) + ': ' + escapeHtml(e.message) + (e.sender ? ' (' + escapeHtml(e.sender.subject) + ')' : '') + '</li>').join('');
}

function render({ apps, points, windowSecs, stream }) {
  renderStream(stream);
  document.getElementById('apps').innerHTML = apps.map((a) =>
    '<span class="app ' + (a.ready === 'ready' && a.metrics === '200' ? 'ready' : 'bad') + '">' + escapeHtml(a.name) +
    ': ' + escapeHtml(a.ready) + ', /metrics ' + escapeHtml(a.metrics) + '</span>').join('');
  document.getElementById('note').textContent = points.length
    ? 'rates over the last ' + windowSecs + ' s'
    : 'the first points come once ' + windowSecs + ' s of scrapes make a window';
  const outcomes = ['accepted', 'rejected', 'unavailable'];
  const decisions = (p) => outcomes.reduce((a, o) => a + (p.outcomes[o] ?? 0), 0);
  draw('decisions', points, outcomes.map((o) => ({ name: o, color: OUTCOME_COLORS[o], fill: true, value: (p) => p.outcomes[o] ?? 0 })));
  document.getElementById('v-decisions').textContent = fmt(last(points, decisions)) + '/s';
  const codes = keysOf(points, 'codes');
  draw('refusals', points, codes.map((c, i) => ({ name: c, color: PALETTE[(i + 1) % PALETTE.length], value: (p) => p.codes[c] ?? 0 })));
  document.getElementById('v-refusals').textContent = fmt(last(points, (p) => Object.values(p.codes).reduce((a, b) => a + b, 0))) + '/s';
  draw('latency', points, [
    { name: 'p50', color: '#38bdf8', value: (p) => p.latencyMs.p50 },
    { name: 'p99', color: '#a78bfa', value: (p) => p.latencyMs.p99 },
  ]);
  document.getElementById('v-latency').textContent = 'p99 ' + fmt(last(points, (p) => p.latencyMs.p99), 2) + ' ms';
  const hitRatio = (p) => (p.cacheHitRatio == null ? null : p.cacheHitRatio * 100);
  draw('cache', points, [{ name: 'hits / lookups', color: '#22c55e', fill: true, value: hitRatio }], { max: 100 });
  document.getElementById('v-cache').textContent = fmt(last(points, hitRatio)) + ' %';
  draw('jwks', points, [
    { name: 'success', color: '#22c55e', value: (p) => p.jwks.success },
    { name: 'failure', color: '#ef4444', value: (p) => p.jwks.failure },
  ]);
  document.getElementById('v-jwks').textContent = fmt(last(points, (p) => p.jwks.failure), 0) + ' failed';
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
`;
