/**
 * Readiness and metrics with shared state: the three built apps as processes on one real redis-server.
 * `/ready` names Redis while it is down and turns 200 again when it is back; the revocations gauge follows
 * revocations made on another instance; 429s from the rate limit and the failed-auth throttle are counted
 * by limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedis, RedisServer, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from './helpers/http.js';
import { sampleSum, scrape } from './helpers/metrics.js';
import { type RunningProcess, startApp } from './helpers/processes.js';

const ADMIN = 'obs-redis-admin-key-01';
const SCRAPER = 'obs-redis-scraper-key-02';
const LIMITED = 'obs-redis-limited-key-03';
const VICTIM = 'obs-redis-victim-key-04';
const APPS = ['ingestion', 'analytics', 'analytics-koa'] as const;

if (!hasRedis)
  console.warn('observability-redis.test.ts: skipped, redis-server not found (apt-get install redis-server)');

describe.skipIf(!hasRedis)('readiness and metrics on one redis-server', () => {
  let redis: RedisServer;
  let dataDir: string;
  const apps: RunningProcess[] = [];
  let from = 0;
  // Each request from its own address (GATEHOUSE_TRUST_PROXY=1), unless a test names one.
  const call = (url: string, key: string, init: RequestInit & { address?: string } = {}) =>
    fetch(url, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        'x-forwarded-for': init.address ?? `10.9.${(++from >> 8) & 255}.${from & 255}`,
        ...(init.headers as Record<string, string>),
      },
    });
  const metricsOf = (app: RunningProcess) => scrape(app.url, `Bearer ${SCRAPER}`);

  beforeAll(async () => {
    redis = await RedisServer.start({ persistent: true }); // brought back with its data below
    dataDir = mkdtempSync(join(tmpdir(), 'obs-redis-'));
    const env = {
      TELEMETRY_DATA_DIR: dataDir,
      GATEHOUSE_API_KEYS: JSON.stringify([
        { name: 'admin', key: ADMIN },
        { name: 'scraper', key: SCRAPER, scopes: ['metrics:read'] },
        { name: 'limited', key: LIMITED },
        { name: 'victim', key: VICTIM },
      ]),
      GATEHOUSE_ADMINS: '["admin"]',
      GATEHOUSE_REDIS_URL: redis.url,
      GATEHOUSE_RATE_LIMIT: JSON.stringify({
        requests: 100_000,
        window_secs: 3600,
        identities: { limited: { requests: 5 } },
      }),
      GATEHOUSE_FAILED_AUTH_LIMIT: JSON.stringify({ attempts: 3, window_secs: 3600 }),
      GATEHOUSE_TRUST_PROXY: '1',
    };
    apps.push(await startApp('ingestion', env));
    apps.push(...(await Promise.all(APPS.slice(1).map((name) => startApp(name, env)))));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /ready: 200 while Redis answers, 503 naming redis while it is down, 200 again when it is back', async () => {
    const ready = async (app: RunningProcess) => (await getJson(`${app.url}/ready`)).status === 200;
    for (const app of apps) await waitFor(() => ready(app), 10_000);

    await redis.kill();
    for (const app of apps) {
      await waitFor(async () => !(await ready(app)), 10_000);
      const res = await getJson(`${app.url}/ready`);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'not_ready', missing: [{ component: 'redis' }] });
      // /health stays 200 whenever the process serves.
      expect((await getJson(`${app.url}/health`)).status).toBe(200);
    }

    await redis.restart({ keepData: true });
    for (const app of apps) {
      await waitFor(() => ready(app), 15_000);
      expect((await getJson(`${app.url}/ready`)).body).toEqual({ status: 'ready' });
    }
  }, 60_000);

  it('gatehouse_revocations follows a revocation made on another instance, and its lifting', async () => {
    const [maker, ...others] = apps as [RunningProcess, ...RunningProcess[]];
    const gauge = async (app: RunningProcess) => sampleSum(await metricsOf(app), 'gatehouse_revocations');
    const before = await Promise.all(apps.map(gauge));
    const made = await call(`${maker.url}/v1/admin/revocations`, ADMIN, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'victim' }),
    });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    for (const [i, app] of [maker, ...others].entries()) {
      await waitFor(async () => (await gauge(app)) === before[i]! + 1, 3000);
    }
    const revoked = await call(`${others[0]!.url}/v1/whoami`, VICTIM);
    expect(revoked.status).toBe(401);
    expect(
      sampleSum(await metricsOf(others[0]!), 'gatehouse_auth_total', {
        outcome: 'rejected',
        code: 'token_revoked',
      }),
    ).toBeGreaterThanOrEqual(1);

    expect((await call(`${maker.url}/v1/admin/revocations/${id}`, ADMIN, { method: 'DELETE' })).status).toBe(
      204,
    );
    for (const [i, app] of [maker, ...others].entries()) {
      await waitFor(async () => (await gauge(app)) === before[i], 3000);
    }
  }, 30_000);

  it('gatehouse_rate_limited_total counts 429s by limit: the identity rate limit and the failed-auth throttle', async () => {
    const app = apps[2]!;
    const counted = async (limit: string) =>
      sampleSum(await metricsOf(app), 'gatehouse_rate_limited_total', { limit });
    const before = { identity: await counted('identity'), failed: await counted('failed_auth') };

    let limited = 0;
    for (let i = 0; i < 15; i++) {
      if ((await call(`${app.url}/v1/whoami`, LIMITED)).status === 429) limited++;
    }
    expect(limited).toBeGreaterThan(0);
    expect((await counted('identity')) - before.identity).toBe(limited);

    // Three failed authentications from one address, then that address is refused with 429.
    const address = '203.0.113.77';
    for (let i = 0; i < 3; i++) {
      expect((await call(`${app.url}/v1/whoami`, `wrong-key-${i}`, { address })).status).toBe(401);
    }
    expect((await call(`${app.url}/v1/whoami`, ADMIN, { address })).status).toBe(429);
    expect((await counted('failed_auth')) - before.failed).toBe(1);
    expect(
      sampleSum(await metricsOf(app), 'gatehouse_auth_total', { outcome: 'rejected', code: 'rate_limited' }),
    ).toBeGreaterThanOrEqual(limited + 1);
  }, 30_000);
});
