/**
 * Services written from each adapter's README (`routes: true`, plain JavaScript), installed from the packed
 * tarballs into a fresh app and configured only by GATEHOUSE_* variables: one instance of each behaves like
 * the example apps, and one instance of each on one real Redis behaves as one service.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { findRuntime, hasRedis, RedisServer, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFreshApp, isBuilt } from './fresh-app.js';

const PACKAGES = ['core', 'express', 'koa', 'nestjs', 'fastify', 'web', 'hono', 'redis'];

// Each service: its file and the runtime that serves it. The one Hono file runs on Node, Bun and Deno.
const RUNS = {
  express: { file: 'express.mjs', runtime: 'node' },
  koa: { file: 'koa.mjs', runtime: 'node' },
  fastify: { file: 'fastify.mjs', runtime: 'node' },
  nest: { file: 'nest.mjs', runtime: 'node' },
  'hono-node': { file: 'hono.mjs', runtime: 'node' },
  'hono-bun': { file: 'hono.mjs', runtime: 'bun' },
  'hono-deno': { file: 'hono.mjs', runtime: 'deno' },
} as const;
type Service = keyof typeof RUNS;
const RUNTIME_ARGS = { node: [], bun: [], deno: ['run', '--allow-net', '--allow-env', '--allow-read'] };
// Bun and Deno run where their binaries are installed (npm ci installs them with @gatehouse/testkit).
const SERVICES = (Object.keys(RUNS) as Service[]).filter((s) => findRuntime(RUNS[s].runtime) !== undefined);

const KEYS = { svc: 'svc-key-0123456789', ops: 'ops-key-0123456789', scraper: 'scraper-key-0123456789' };
const LIMITED = (name: string) => `limited-${name}-key-0123`;
const ENV = {
  GATEHOUSE_API_KEYS: JSON.stringify([
    { name: 'svc', key: KEYS.svc },
    { name: 'ops', key: KEYS.ops },
    { name: 'scraper', key: KEYS.scraper, scopes: ['metrics:read'] },
    ...SERVICES.map((name) => ({ name: `limited-${name}`, key: LIMITED(name) })),
    { name: 'shared-limit', key: LIMITED('shared') },
  ]),
  GATEHOUSE_ADMINS: '["ops"]',
  GATEHOUSE_RATE_LIMIT: JSON.stringify({
    requests: 10_000,
    // Fixed windows: an hour, so that no test's handful of requests straddles two of them.
    window_secs: 3600,
    identities: {
      ...Object.fromEntries(SERVICES.map((name) => [`limited-${name}`, { requests: 3 }])),
      'shared-limit': { requests: 20 },
    },
  }),
  GATEHOUSE_FAILED_AUTH_LIMIT: '{"attempts":3,"window_secs":60}',
  GATEHOUSE_TRUST_PROXY: '1',
  GATEHOUSE_RESOURCE: JSON.stringify({
    resource: 'https://api.example.com/mcp',
    scopes_supported: ['api:read'],
    authorization_servers: ['https://idp.example.com'],
  }),
  GATEHOUSE_PUBLIC_URL: 'https://api.example.com',
  NODE_ENV: 'production',
};
const METADATA_URL = 'https://api.example.com/.well-known/oauth-protected-resource/mcp';

const bearer = (key: string, from = '192.0.2.1') => ({
  authorization: `Bearer ${key}`,
  'x-forwarded-for': from,
});

describe.skipIf(!isBuilt(PACKAGES))(
  'services written from the READMEs, configured only by the environment',
  () => {
    let app: string;
    let remove: () => void;
    const children: ChildProcess[] = [];

    beforeAll(() => {
      ({ app, remove } = installFreshApp(PACKAGES, 'test/packaging/service'));
    }, 300_000);
    afterAll(() => {
      for (const child of children) child.kill();
      remove?.();
    });

    /** Starts `service` with `env`; resolves with its URL, or rejects with what it printed. */
    function start(service: Service, env: Record<string, string>): Promise<string> {
      const { file, runtime } = RUNS[service];
      const child = spawn(findRuntime(runtime)!, [...RUNTIME_ARGS[runtime], file], {
        cwd: app,
        // HOME: where Bun and Deno keep their caches.
        env: {
          PATH: process.env.PATH,
          ...(process.env.HOME && { HOME: process.env.HOME }),
          NO_COLOR: '1',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk;
      });
      return new Promise((resolve, reject) => {
        child.stdout!.once('data', (chunk: Buffer) =>
          resolve(`http://127.0.0.1:${(JSON.parse(chunk.toString()) as { port: number }).port}`),
        );
        child.once('exit', (code) => reject(new Error(`${service} exited ${code}: ${stderr.trim()}`)));
      });
    }

    describe.each(SERVICES)('%s, one instance', (service) => {
      let url: string;
      beforeAll(async () => {
        url = await start(service, ENV);
      }, 60_000);
      const get = (path: string, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { headers });

      it('serves its own routes behind the gate, /health without credentials', async () => {
        expect((await get('/health')).status).toBe(200);
        const denied = await get('/v1/whoami');
        expect(denied.status).toBe(401);
        expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
        expect(await (await get('/v1/whoami', bearer(KEYS.svc))).json()).toMatchObject({
          subject: 'svc',
          via: service,
        });
        expect((await get('/v1/admin/status', bearer(KEYS.svc))).status).toBe(403);
        expect((await get('/v1/admin/status', bearer(KEYS.ops))).status).toBe(200);
      });

      it('serves /ready and /metrics itself (routes: true)', async () => {
        expect(await (await get('/ready')).json()).toEqual({ status: 'ready' });
        expect((await get('/metrics')).status).toBe(401);
        const scoped = await get('/metrics', bearer(KEYS.svc));
        expect(scoped.status).toBe(403);
        expect(scoped.headers.get('www-authenticate')).toContain('scope="metrics:read"');
        for (const key of [KEYS.scraper, KEYS.ops]) {
          const text = await get('/metrics', bearer(key));
          expect(text.status).toBe(200);
          expect(text.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
          expect(await text.text()).toContain(
            'gatehouse_auth_total{outcome="accepted",code="ok",auth_type="api_key"',
          );
        }
      });

      it('applies GATEHOUSE_RESOURCE: serves the metadata (RFC 9728), and every 401 points to it', async () => {
        const metadata = await get('/.well-known/oauth-protected-resource/mcp');
        expect(metadata.status).toBe(200);
        expect(await metadata.json()).toEqual({
          resource: 'https://api.example.com/mcp',
          authorization_servers: ['https://idp.example.com'],
          bearer_methods_supported: ['header'],
          scopes_supported: ['api:read'],
        });
        const denied = await get('/v1/whoami', { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
        expect(denied.headers.get('www-authenticate')).toContain(`resource_metadata="${METADATA_URL}"`);
      });

      it('applies GATEHOUSE_RATE_LIMIT: the fourth request of a 3-per-window identity is a 429', async () => {
        for (let i = 0; i < 3; i++)
          expect((await get('/v1/whoami', bearer(LIMITED(service)))).status).toBe(200);
        const limited = await get('/v1/whoami', bearer(LIMITED(service)));
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(limited.headers.get('ratelimit-policy')).toMatch(/q=3;w=3600/);
        expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
      });

      it('applies GATEHOUSE_FAILED_AUTH_LIMIT per client address, read from X-Forwarded-For (GATEHOUSE_TRUST_PROXY)', async () => {
        const attacker = '198.51.100.7';
        for (let i = 0; i < 3; i++)
          expect((await get('/v1/whoami', bearer(`bad-key-${i}-xxxx`, attacker))).status).toBe(401);
        expect((await get('/v1/whoami', bearer(KEYS.svc, attacker))).status).toBe(429);
        expect((await get('/v1/whoami', bearer(KEYS.svc, '198.51.100.8'))).status).toBe(200);
      });

      it('serves the revocation admin routes: revoke, list, lift', async () => {
        const path = `${url}/v1/admin/revocations`;
        const json = { 'content-type': 'application/json' };
        expect(
          (
            await fetch(path, {
              method: 'POST',
              headers: { ...bearer(KEYS.scraper), ...json },
              body: '{"apiKey":"svc"}',
            })
          ).status,
        ).toBe(403);
        expect(
          (
            await fetch(path, {
              method: 'POST',
              headers: { ...bearer(KEYS.ops), ...json },
              body: '{"apiKey":',
            })
          ).status,
        ).toBe(400);
        const created = await fetch(path, {
          method: 'POST',
          headers: { ...bearer(KEYS.ops), ...json },
          body: '{"apiKey":"svc"}',
        });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        const revoked = await get('/v1/whoami', bearer(KEYS.svc));
        expect(revoked.status).toBe(401);
        expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
        expect(await (await fetch(path, { headers: bearer(KEYS.ops) })).json()).toMatchObject([
          { id, apiKey: 'svc' },
        ]);
        expect((await fetch(`${path}/${id}`, { method: 'DELETE', headers: bearer(KEYS.ops) })).status).toBe(
          204,
        );
        expect((await fetch(`${path}/${id}`, { method: 'DELETE', headers: bearer(KEYS.ops) })).status).toBe(
          404,
        );
        expect((await get('/v1/whoami', bearer(KEYS.svc))).status).toBe(200);
      });

      it('serves back-channel logout publicly, refusing what is not a logout token with 400', async () => {
        const answer = await fetch(`${url}/v1/backchannel-logout`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'logout_token=not-a-token',
        });
        expect(answer.status).toBe(400);
        expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
      });
    });

    describe.skipIf(!hasRedis)('one instance of each on one Redis (GATEHOUSE_REDIS_URL)', () => {
      let redis: RedisServer;
      const urls = new Map<Service, string>();
      beforeAll(async () => {
        redis = await RedisServer.start();
        const env = { ...ENV, GATEHOUSE_REDIS_URL: redis.url };
        for (const service of SERVICES) urls.set(service, await start(service, env));
        for (const url of urls.values()) {
          await waitFor(async () => (await fetch(`${url}/ready`)).status === 200, 10_000, 50);
        }
      }, 90_000);
      afterAll(() => redis?.stop());
      const each = () => [...urls.values()];

      it('refuses a key revoked on one instance on every other within 1 s, and lets it back when lifted', async () => {
        // Addresses of their own: the refusals below count as failed authentications of the address.
        const admin = bearer(KEYS.ops, '192.0.2.21');
        const [first, ...others] = each();
        const created = await fetch(`${first}/v1/admin/revocations`, {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json' },
          body: '{"apiKey":"svc"}',
        });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        for (const [i, url] of others.entries()) {
          const svc = bearer(KEYS.svc, `192.0.2.${30 + i}`);
          const refused = async () => (await fetch(`${url}/v1/whoami`, { headers: svc })).status === 401;
          expect(await waitFor(refused, 1000)).toBeLessThan(1000);
        }
        const lifted = await fetch(`${others[0]}/v1/admin/revocations/${id}`, {
          method: 'DELETE',
          headers: admin,
        });
        expect(lifted.status).toBe(204);
        for (const url of each()) {
          const svc = bearer(KEYS.svc, '192.0.2.22');
          await waitFor(async () => (await fetch(`${url}/v1/whoami`, { headers: svc })).status === 200, 1000);
        }
      });

      it('shares the rate limit: 20 per window over every instance, within 10 % + one per instance', async () => {
        let admitted = 0;
        for (let i = 0; i < 40; i++) {
          const url = each()[i % urls.size]!;
          const answer = await fetch(`${url}/v1/whoami`, {
            headers: bearer(LIMITED('shared'), '192.0.2.40'),
          });
          if (answer.status === 200) admitted++;
          else expect(await answer.json()).toMatchObject({ error: 'rate_limited' });
        }
        expect(admitted).toBeGreaterThanOrEqual(20);
        expect(admitted).toBeLessThanOrEqual(Math.floor(20 * 1.1) + urls.size);
      });

      it('shares the failed-auth throttle: failures on three instances block the address on the fourth', async () => {
        const attacker = '203.0.113.9';
        const [a, b, c, d] = each() as [string, string, string, string];
        expect((await fetch(`${d}/v1/whoami`, { headers: bearer(KEYS.svc, attacker) })).status).toBe(200);
        for (const url of [a, b, c]) {
          const bad = bearer('bad-key-shared-xx', attacker);
          expect((await fetch(`${url}/v1/whoami`, { headers: bad })).status).toBe(401);
        }
        const blocked = await fetch(`${d}/v1/whoami`, { headers: bearer(KEYS.svc, attacker) });
        expect(blocked.status).toBe(429);
        expect(await blocked.json()).toMatchObject({ error: 'rate_limited' });
        expect((await fetch(`${d}/v1/whoami`, { headers: bearer(KEYS.svc, '203.0.113.10') })).status).toBe(
          200,
        );
      });

      it('reports Redis on /ready: 503 naming it while it is down', async () => {
        redis.pause();
        try {
          for (const url of each()) {
            await waitFor(async () => (await fetch(`${url}/ready`)).status === 503, 5000, 50);
            expect(await (await fetch(`${url}/ready`)).json()).toMatchObject({
              missing: [{ component: 'redis' }],
            });
          }
        } finally {
          redis.resume();
        }
        for (const url of each())
          await waitFor(async () => (await fetch(`${url}/ready`)).status === 200, 10_000, 50);
      });
    });

    // Without GATEHOUSE_TRUST_PROXY the throttle counts the socket's address, which a Web Request does not
    // carry: @gatehouse/hono reads it from each server's bindings (node-server, Bun.serve, Deno.serve).
    describe.each(SERVICES.filter((s) => s.startsWith('hono-')))(
      '%s, the client address from the socket',
      (service) => {
        it('blocks the address after GATEHOUSE_FAILED_AUTH_LIMIT failures, whatever X-Forwarded-For says', async () => {
          const { GATEHOUSE_TRUST_PROXY: _, ...untrusting } = ENV;
          const url = await start(service, untrusting);
          const whoami = (key: string, from: string) =>
            fetch(`${url}/v1/whoami`, { headers: bearer(key, from) });
          for (let i = 0; i < 3; i++)
            expect((await whoami(`bad-key-${i}-xxxx`, `192.0.2.${50 + i}`)).status).toBe(401);
          const blocked = await whoami(KEYS.svc, '192.0.2.99');
          expect(blocked.status).toBe(429);
          expect(await blocked.json()).toMatchObject({ error: 'rate_limited' });
        });
      },
    );

    it.each(SERVICES.filter((s) => s === 'express' || s === 'hono-bun' || s === 'hono-deno'))(
      '%s refuses to start with GATEHOUSE_REDIS_URL when @gatehouse/redis is not installed, naming it',
      async (service) => {
        const installed = join(app, 'node_modules/@gatehouse/redis');
        renameSync(installed, `${installed}.away`);
        try {
          const started = start(service, { ...ENV, GATEHOUSE_REDIS_URL: 'redis://127.0.0.1:6379' });
          await expect(started).rejects.toThrow(
            /GATEHOUSE_REDIS_URL: needs the package @gatehouse\/redis to share state on Redis: npm install @gatehouse\/redis/,
          );
        } finally {
          renameSync(`${installed}.away`, installed);
        }
      },
    );
  },
);
