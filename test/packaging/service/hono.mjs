// A service written from @gatehouse/hono's README: routes: true, configured only by GATEHOUSE_*, one source
// file served by @hono/node-server on Node, Bun.serve on Bun and Deno.serve on Deno.
import { authOf, gatehouse } from '@gatehouse/hono';
import { Hono } from 'hono';

const runtime = globalThis.Bun ? 'bun' : globalThis.Deno ? 'deno' : 'node';
const auth = gatehouse({ routes: true, publicPaths: ['/health'] });
const app = new Hono();
app.use(auth);
app.get('/health', (c) => c.json({ status: 'ok' }));
app.get('/v1/whoami', (c) => c.json({ subject: authOf(c).subject, via: `hono-${runtime}` }));
app.get('/v1/admin/status', auth.admin(), (c) => c.json({ ok: true }));

const listening = (port) => console.log(JSON.stringify({ port }));
if (runtime === 'bun') {
  listening(Bun.serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }).port);
} else if (runtime === 'deno') {
  Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => listening(port) }, app.fetch);
} else {
  const { serve } = await import('@hono/node-server');
  serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => listening(info.port));
}
