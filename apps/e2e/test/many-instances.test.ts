/**
 * "Many instances, one truth" (contract): the three example apps (Express, NestJS, Koa) as real processes
 * on one real redis-server. A revocation made on one is refused by the others within 1 s; lifting it
 * likewise; Redis killed → 503 for new revocations while every known one stays enforced; Redis back
 * without its data → the instances put their revocations back. Rate limits and failed-auth blocks are
 * summed over the instances.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedis, RedisServer, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admittedInTurn, call, failFrom, revoke as revokeAs, whoamiStatus } from './helpers/instances.js';
import { type RunningProcess, startApp } from './helpers/processes.js';

const ADMIN = 'admin-key-0001';
const USER = 'user-key-0001';
const LIMITED = 'limited-key-0001';
const APPS = ['ingestion', 'analytics', 'analytics-koa'] as const;

describe.skipIf(!hasRedis)('three app instances on one redis-server', () => {
  let redis: RedisServer;
  let dataDir: string;
  const apps: RunningProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await RedisServer.start();
    dataDir = mkdtempSync(join(tmpdir(), 'many-'));
    env = {
      TELEMETRY_DATA_DIR: dataDir,
      GATEHOUSE_API_KEYS: JSON.stringify([
        { name: 'admin', key: ADMIN },
        { name: 'svc', key: USER },
        { name: 'limited', key: LIMITED },
      ]),
      GATEHOUSE_ADMINS: '["admin"]',
      GATEHOUSE_REDIS_URL: redis.url,
      GATEHOUSE_RATE_LIMIT: JSON.stringify({
        requests: 100_000,
        window_secs: 3600,
        identities: { limited: { requests: 20 } },
      }),
      GATEHOUSE_FAILED_AUTH_LIMIT: JSON.stringify({ attempts: 5, window_secs: 3600 }),
      GATEHOUSE_TRUST_PROXY: '1',
    };
    // ingestion first: it creates the database the analytics apps open read-only.
    apps.push(await startApp('ingestion', env));
    apps.push(...(await Promise.all([startApp('analytics', env), startApp('analytics-koa', env)])));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const revoke = (app: RunningProcess, body: unknown) => revokeAs(app, ADMIN, body);

  it.each(APPS.map((name, i) => [name, i]))(
    'a revocation made on %s is refused by every instance within 1 s, and lifted likewise',
    async (_, i) => {
      for (const app of apps) expect(await whoamiStatus(app, USER)).toBe(200);
      const made = await revoke(apps[i]!, { apiKey: 'svc' });
      expect(made.status).toBe(201);
      const { id } = (await made.json()) as { id: string };
      // In force on the answering instance at once.
      const here = await call(`${apps[i]!.url}/v1/whoami`, USER);
      expect(here.status).toBe(401);
      expect(here.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const took = await waitFor(async () => {
        const statuses = await Promise.all(apps.map((a) => whoamiStatus(a, USER)));
        return statuses.every((s) => s === 401);
      }, 1000);
      expect(took).toBeLessThan(1000);
      const listed = await call(`${apps[(i + 1) % 3]!.url}/v1/admin/revocations`, ADMIN);
      expect(((await listed.json()) as { id: string }[]).map((r) => r.id)).toContain(id);

      const lifted = await call(`${apps[(i + 2) % 3]!.url}/v1/admin/revocations/${id}`, ADMIN, {
        method: 'DELETE',
      });
      expect(lifted.status).toBe(204);
      await waitFor(
        async () => (await Promise.all(apps.map((a) => whoamiStatus(a, USER)))).every((s) => s === 200),
        1000,
      );
      expect(
        (await call(`${apps[i]!.url}/v1/admin/revocations/${id}`, ADMIN, { method: 'DELETE' })).status,
      ).toBe(404);
    },
  );

  it.each(APPS.map((name, i) => [name, i]))(
    '%s refuses malformed revocation bodies with 400, and non-admins with 403',
    async (_, i) => {
      const app = apps[i]!;
      for (const body of [
        { jti: 'a', subject: 'b', issuer: 'x' },
        { apiKey: 'svc', extra: 1 },
        { apiKey: '' },
        { apiKey: 7 },
        [],
        'x',
      ]) {
        expect((await revoke(app, body)).status).toBe(400);
      }
      const notJson = await call(`${app.url}/v1/admin/revocations`, ADMIN, {
        method: 'POST',
        body: '{',
        headers: { 'content-type': 'application/json' },
      });
      expect(notJson.status).toBe(400);
      const byUser = await call(`${app.url}/v1/admin/revocations`, USER, {
        method: 'POST',
        body: '{"apiKey":"admin"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(byUser.status).toBe(403);
      const logout = await call(`${app.url}/v1/backchannel-logout`, undefined, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'logout_token=not-a-token',
      });
      expect(logout.status).toBe(400);
    },
  );

  it("sums an identity's rate limit over the instances and answers 429 with the RateLimit headers", async () => {
    const { admitted: ok, refused: limited, others } = await admittedInTurn(apps, LIMITED, 60);
    expect(others).toEqual([]);
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(20 + 2 + 3);
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited!.headers.get('ratelimit-policy')).toBe('"default";q=20;w=3600');
    expect(limited!.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
    expect(await limited!.json()).toMatchObject({ error: 'rate_limited' });
    expect((await call(`${apps[0]!.url}/health`, LIMITED)).status).toBe(200);
  });

  it('blocks an address on every instance after the failed authentications, even with good credentials', async () => {
    const from = '203.0.113.9';
    expect(await failFrom(apps, from, 5)).toEqual([401, 401, 401, 401, 401]);
    for (const app of apps) {
      const res = await call(`${app.url}/v1/whoami`, USER, { from });
      expect(`${app.name} ${res.status}`).toBe(`${app.name} 429`);
      expect(res.headers.get('ratelimit-policy')).toBe('"failed_auth";q=5;w=3600');
    }
    expect((await call(`${apps[1]!.url}/v1/whoami`, USER, { from: '203.0.113.10' })).status).toBe(200);
  });

  it('answers 503 for a revocation while Redis is down, keeps enforcing, and puts revocations back when Redis returns empty', async () => {
    const made = await revoke(apps[0]!, { apiKey: 'svc' });
    expect(made.status).toBe(201);
    await waitFor(
      async () => (await Promise.all(apps.map((a) => whoamiStatus(a, USER)))).every((s) => s === 401),
      1000,
    );
    await redis.kill();
    await new Promise((r) => setTimeout(r, 300));
    for (const app of apps) {
      expect((await revoke(app, { apiKey: 'admin' })).status).toBe(503);
      expect(await whoamiStatus(app, USER)).toBe(401);
      expect(await whoamiStatus(app, ADMIN)).toBe(200);
    }
    await redis.restart({ keepData: false });
    const fresh = await startApp('ingestion', env);
    try {
      await waitFor(async () => (await whoamiStatus(fresh, USER)) === 401, 5000);
      for (const app of apps) expect(await whoamiStatus(app, USER)).toBe(401);
    } finally {
      await fresh.stop();
    }
  });
});
