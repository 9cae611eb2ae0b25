/**
 * @gatehouse/hono beyond the shared adapter suites (which run it on Node, Bun, Deno and workerd): the gate
 * built on the first request from `c.env`, and the operational routes when the app read the body first.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { authOf, type GatehouseEnv, gatehouse } from '../src/index.js';

const KEY = 'hono-key-0123456789';
const ADMIN_KEY = 'hono-admin-key-0123456';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const BINDINGS = {
  GATEHOUSE_API_KEYS: JSON.stringify([
    { name: 'svc', key: KEY },
    { name: 'ops', key: ADMIN_KEY },
  ]),
  GATEHOUSE_ADMINS: '["ops"]',
};

describe('gatehouse((env) => options): built on the first request', () => {
  it("builds once, from that request's c.env, for the middleware and every helper", async () => {
    const seen: unknown[] = [];
    const auth = gatehouse((env: typeof BINDINGS | undefined) => {
      seen.push(env);
      return { env, routes: true, publicPaths: ['/health'] };
    });
    const app = new Hono<GatehouseEnv>();
    app.use(auth);
    app.get('/health', (c) => c.json({ status: 'ok' }));
    app.get('/v1/whoami', (c) => c.json({ subject: authOf(c).subject }));
    app.get('/v1/admin/status', auth.admin(), (c) => c.json({ admin: true }));
    expect(seen).toEqual([]);

    const get = (path: string, headers: Record<string, string> = {}) =>
      app.request(path, { headers }, BINDINGS);
    expect((await get('/health')).status).toBe(200);
    expect(await (await get('/v1/whoami', bearer(KEY))).json()).toEqual({ subject: 'svc' });
    expect((await get('/v1/admin/status', bearer(KEY))).status).toBe(403);
    expect((await get('/v1/admin/status', bearer(ADMIN_KEY))).status).toBe(200);
    expect((await get('/ready')).status).toBe(200);
    expect(seen).toEqual([BINDINGS]);
  });
});

describe('routes: true', () => {
  it('reads a revocation from the body an earlier middleware already parsed', async () => {
    const app = new Hono<GatehouseEnv>();
    app.use(async (c, next) => {
      if (c.req.method === 'POST') await c.req.json();
      await next();
    });
    app.use(gatehouse({ env: BINDINGS, routes: true }));
    const created = await app.request('/v1/admin/revocations', {
      method: 'POST',
      headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
      body: '{"apiKey":"svc"}',
    });
    expect(created.status, await created.clone().text()).toBe(201);
    expect((await app.request('/v1/x', { headers: bearer(KEY) })).status).toBe(401);
  });

  it('answers HEAD without a body', async () => {
    const app = new Hono<GatehouseEnv>();
    app.use(gatehouse({ env: BINDINGS, routes: true }));
    const head = await app.request('/ready', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });
});
