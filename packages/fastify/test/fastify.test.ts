import type { AuthError } from '@gatehouse/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { authOf, gatehouse } from '../src/index.js';

const apiKeys = [
  { name: 'svc', key: 'svc-key-1' },
  { name: 'ops', key: 'ops-key-1', scopes: ['metrics:read'] },
];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function serve(app: FastifyInstance): Promise<string> {
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

const get = (url: string, key?: string) =>
  fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : undefined);

describe('@gatehouse/fastify', () => {
  it('is configured by its options, like every adapter: no second package to import', async () => {
    const app = Fastify();
    await app.register(gatehouse, { apiKeys, admins: ['svc'] });
    app.get('/v1/whoami', async (request) => ({
      subject: authOf(request).subject,
      admin: request.auth?.isAdmin,
    }));
    const url = await serve(app);
    expect(await (await get(`${url}/v1/whoami`, 'svc-key-1')).json()).toEqual({
      subject: 'svc',
      admin: true,
    });
    const refused = await get(`${url}/v1/whoami`, 'nope');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer realm="gatehouse", error="invalid_token", error_description="invalid credentials"',
    );
  });

  it("takes each route's rule from config.gatehouse: public, optional, admin, scopes or admins", async () => {
    const app = Fastify();
    await app.register(gatehouse, { apiKeys, admins: ['svc'] });
    app.get('/open', { config: { gatehouse: 'public' } }, async (request) => ({
      auth: request.auth ?? null,
    }));
    app.get('/maybe', { config: { gatehouse: { optional: true } } }, async (request) => ({
      who: request.auth?.subject ?? null,
    }));
    app.get('/admin', { config: { gatehouse: { admin: true } } }, async () => ({ ok: true }));
    app.get(
      '/metrics',
      { config: { gatehouse: { scopes: ['metrics:read'], orAdmin: true } } },
      async () => 'm',
    );
    const url = await serve(app);
    expect(await (await get(`${url}/open`, 'garbage key')).json()).toEqual({ auth: null });
    expect(await (await get(`${url}/maybe`)).json()).toEqual({ who: null });
    expect((await get(`${url}/maybe`, 'nope')).status).toBe(401);
    expect((await get(`${url}/admin`)).status).toBe(401);
    expect((await get(`${url}/admin`, 'ops-key-1')).status).toBe(403);
    expect((await get(`${url}/admin`, 'svc-key-1')).status).toBe(200);
    expect((await get(`${url}/metrics`, 'ops-key-1')).status).toBe(200);
    expect((await get(`${url}/metrics`, 'svc-key-1')).status).toBe(200);
    const other = Fastify();
    await other.register(gatehouse, { apiKeys: [{ name: 'x', key: 'x-key-1' }] });
    other.get(
      '/metrics',
      { preHandler: other.gatehouse.require({ scopes: ['metrics:read'], orAdmin: true }) },
      async () => 'm',
    );
    const otherUrl = await serve(other);
    const denied = await get(`${otherUrl}/metrics`, 'x-key-1');
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(denied.headers.get('www-authenticate')).toContain('scope="metrics:read"');
  });

  it('authenticates unknown routes too, so a 404 never tells an anonymous caller what exists', async () => {
    const app = Fastify();
    await app.register(gatehouse, { apiKeys });
    const url = await serve(app);
    expect((await get(`${url}/nowhere`)).status).toBe(401);
    expect((await get(`${url}/nowhere`, 'svc-key-1')).status).toBe(404);
  });

  it("onError: 'throw' hands the AuthError to Fastify's error handler, challenge headers set", async () => {
    const caught: AuthError[] = [];
    const app = Fastify();
    app.setErrorHandler((err, _request, reply) => {
      caught.push(err as unknown as AuthError);
      void reply.code(418).send({ custom: true });
    });
    await app.register(gatehouse, { apiKeys, env: false, onError: 'throw' });
    app.get('/x', async () => 'x');
    const url = await serve(app);
    const res = await get(`${url}/x`, 'nope');
    expect(res.status).toBe(418);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    expect(caught[0]).toMatchObject({ code: 'unknown_api_key', statusCode: 401 });
  });

  it('refuses to start without configuration, naming what is missing', async () => {
    const saved = { ...process.env };
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('GATEHOUSE_')) delete process.env[name];
      const app = Fastify();
      await expect(app.register(gatehouse, {}).ready()).rejects.toThrow(/no credentials are configured/);
      await app.close();
    } finally {
      process.env = saved;
    }
  });
});
