/**
 * The live page: one self-contained HTML document (no outside script, style or font) that polls
 * `series.json` once a second and draws each series on a canvas.
 */
import { PAGE_SCRIPT } from './page-script.js';

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
  #note { color: var(--muted); font-size: 12px; }
  .app { padding: 2px 8px; border: 1px solid var(--line); border-radius: 6px; }
  .app.ready { border-color: #15803d; } .app.bad { border-color: #b91c1c; }
  main { display: grid; grid-template-columns: repeat(3, minmax(300px, 1fr)); gap: 16px; padding: 8px 24px 24px; }
  section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
  h2 { font-size: 13px; font-weight: 600; margin: 0 0 6px; color: var(--muted); display: flex; justify-content: space-between; }
  h2 b { color: var(--text); font-weight: 600; }
  canvas { width: 100%; height: 180px; display: block; }
  .legend { display: flex; gap: 10px; flex-wrap: wrap; font-size: 12px; color: var(--muted); min-height: 18px; }
  .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
  #stream { grid-column: 1 / -1; }
  #stream ol { margin: 0; padding: 0; list-style: none; font: 12px/1.5 ui-monospace, monospace; max-height: 200px; overflow: hidden; }
  #stream li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  #stream .level { display: inline-block; width: 44px; color: var(--muted); }
  @media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header><h1>Gatehouse: live metrics of the demo apps</h1><div id="apps">waiting for the first scrape…</div><div id="note"></div></header>
<main>
  <section><h2>Decisions per second, by outcome <b id="v-decisions"></b></h2><canvas id="chart-decisions"></canvas><div class="legend" id="l-decisions"></div></section>
  <section><h2>Refusals per second, by reason <b id="v-refusals"></b></h2><canvas id="chart-refusals"></canvas><div class="legend" id="l-refusals"></div></section>
  <section><h2>Decision latency (ms) <b id="v-latency"></b></h2><canvas id="chart-latency"></canvas><div class="legend" id="l-latency"></div></section>
  <section><h2>Token cache hit ratio (%) <b id="v-cache"></b></h2><canvas id="chart-cache"></canvas><div class="legend" id="l-cache"></div></section>
  <section><h2>JWKS fetches in the window, by result <b id="v-jwks"></b></h2><canvas id="chart-jwks"></canvas><div class="legend" id="l-jwks"></div></section>
  <section><h2>Rate-limited requests per second <b id="v-limited"></b></h2><canvas id="chart-limited"></canvas><div class="legend" id="l-limited"></div></section>
  <section id="stream" hidden><h2>New log entries, pushed by analytics over GET /v1/stream (a WebSocket behind Gatehouse) <b id="v-stream"></b></h2><ol id="entries"></ol></section>
</main>
<script>
${PAGE_SCRIPT}
</script>
</body>
</html>
`;
