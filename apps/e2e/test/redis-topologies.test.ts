/**
 * "Redis topologies" (contract): the three example apps (Express, NestJS, Koa) as real processes, configured
 * only by GATEHOUSE_*, on a real 3+3 Redis Cluster and on a primary + replica behind three sentinels, each
 * started once for this file. Failovers are forced mid-traffic (CLUSTER FAILOVER / SENTINEL FAILOVER, then
 * the primary killed): every revocation acknowledged meanwhile is in force on every instance afterwards
 * (the rest were 503), ordinary requests never fail; then the many-instance behaviours hold on the new
 * primaries: revocation within 1 s, back-channel logout, rate limits within the overshoot, the failed-auth
 * throttle, DPoP replay refused across instances.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDpopProof, type DpopKey, generateDpopKey } from '@gatehouse/client';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { hasRedisTopologies, RedisCluster, RedisSentinels, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReady, trafficThrough } from './helpers/failover-traffic.js';
import { admittedInTurn, call, failFrom, revoke, statusesOf, whoamiStatus } from './helpers/instances.js';
import { type RunningProcess, startApp } from './helpers/processes.js';

const ADMIN = 'admin-key-0001';
const USER = 'user-key-0001';
const TRAFFIC = 'traffic-key-0001';
const LIMITED = 'limited-key-0001';
const PUBLIC_URL = 'https://api.example.com';
const REV_KEY = 'gatehouse:{rev}:all'; // the slot of the revocations (packages/redis/src/keys.ts)
// API keys revoked under traffic, one per revocation: `fo-<scenario>-<n>`.
const POOL = 150;
const poolOf = (scenario: string) => Array.from({ length: POOL }, (_, n) => `fo-${scenario}-${n}`);

interface Topology {
  readonly url: string;
  /** CLUSTER FAILOVER / SENTINEL FAILOVER of the revocations' primary. */
  graceful(): Promise<unknown>;
  /** That primary killed (SIGKILL), a replica promoted; the dead node comes back as a replica. */
  kill(): Promise<unknown>;
  stop(): Promise<void>;
}

const TOPOLOGIES: { name: string; start: () => Promise<Topology> }[] = [
  {
    name: 'a 3-primary + 3-replica Redis Cluster',
    start: async () => {
      const cluster = await RedisCluster.start();
      return {
        url: cluster.url,
        graceful: () => cluster.failoverOf(REV_KEY),
        kill: async () => cluster.revive(await cluster.killPrimaryOf(REV_KEY)),
        stop: () => cluster.stop(),
      };
    },
  },
  {
    name: 'a primary + replica behind 3 sentinels',
    start: async () => {
      const sentinels = await RedisSentinels.start();
      return {
        url: sentinels.url,
        graceful: () => sentinels.failover(),
        kill: async () => sentinels.revive(await sentinels.killPrimary()),
        stop: () => sentinels.stop(),
      };
    },
  },
];

let idp: DevIdp;
let dpopKey: DpopKey;
beforeAll(async () => {
  if (!hasRedisTopologies) return;
  idp = await startDevIdp();
  dpopKey = await generateDpopKey();
});
afterAll(() => idp?.close());

describe.skipIf(!hasRedisTopologies).each(TOPOLOGIES)('three app instances on $name', ({ name, start }) => {
  let topology: Topology;
  let dataDir: string;
  const apps: RunningProcess[] = [];

  beforeAll(async () => {
    topology = await start();
    dataDir = mkdtempSync(join(tmpdir(), 'topology-'));
    const keys = [
      { name: 'admin', key: ADMIN },
      { name: 'svc', key: USER },
      { name: 'traffic', key: TRAFFIC },
      { name: 'limited', key: LIMITED },
      ...['graceful', 'kill'].flatMap(poolOf).map((n) => ({ name: n, key: `${n}-key-0001` })),
    ];
    const env = {
      TELEMETRY_DATA_DIR: dataDir,
      GATEHOUSE_API_KEYS: JSON.stringify(keys),
      GATEHOUSE_ADMINS: '["admin"]',
      GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers: [{ issuer: idp.issuer, audience: idp.audience }] }),
      GATEHOUSE_REDIS_URL: topology.url,
      GATEHOUSE_RATE_LIMIT: JSON.stringify({
        requests: 1_000_000,
        window_secs: 3600,
        identities: { limited: { requests: 20 } },
      }),
      GATEHOUSE_FAILED_AUTH_LIMIT: JSON.stringify({ attempts: 5, window_secs: 3600 }),
      GATEHOUSE_TRUST_PROXY: '1',
      GATEHOUSE_PUBLIC_URL: PUBLIC_URL,
    };
    // ingestion first: it creates the database the analytics apps open read-only.
    apps.push(await startApp('ingestion', env));
    apps.push(...(await Promise.all([startApp('analytics', env), startApp('analytics-koa', env)])));
    await allReady(apps, 30_000);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await topology?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  // Made on each instance in turn: refused by every instance within 1 s of the 201, then lifted likewise.
  async function revokedEverywhereWithinOneSecond(): Promise<void> {
    for (const [i, app] of apps.entries()) {
      expect(await statusesOf(apps, USER)).toEqual([200, 200, 200]);
      const made = await revoke(app, ADMIN, { apiKey: 'svc' });
      expect(made.status).toBe(201);
      const { id } = (await made.json()) as { id: string };
      const took = await waitFor(async () => (await statusesOf(apps, USER)).every((s) => s === 401), 1000);
      expect(took).toBeLessThan(1000);
      const lifted = await call(`${apps[(i + 1) % 3]!.url}/v1/admin/revocations/${id}`, ADMIN, {
        method: 'DELETE',
      });
      expect(lifted.status).toBe(204);
      await waitFor(async () => (await statusesOf(apps, USER)).every((s) => s === 200), 1000);
    }
  }

  it('a revocation made on any instance is refused by every instance within 1 s, and lifted likewise', () =>
    revokedEverywhereWithinOneSecond());

  for (const scenario of ['graceful', 'kill'] as const) {
    const what = scenario === 'graceful' ? 'a forced failover' : 'the primary killed';
    it(`${what} mid-traffic: every revocation acknowledged meanwhile is in force on every instance afterwards, the rest were 503, no request failed`, async () => {
      const run = await trafficThrough(
        apps,
        { adminKey: ADMIN, trafficKey: TRAFFIC, names: poolOf(scenario) },
        () => topology[scenario](),
      );
      console.log(
        `${name}, ${what}: ${run.acknowledged.length} revocations acknowledged, ${run.refused} answered 503; ${run.requests} requests`,
      );
      expect(run.unexpected).toEqual([]);
      expect(run.failedRequests).toEqual([]);
      expect(run.acknowledged.length + run.refused).toBeGreaterThan(0);
      // Every instance is ready again (in sync with the new primary): within 1 s, every one is in force.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const admitted: string[] = [];
      for (const key of run.acknowledged) {
        for (const app of apps) {
          if ((await whoamiStatus(app, `${key}-key-0001`)) !== 401) admitted.push(`${app.name} ${key}`);
        }
      }
      expect(admitted).toEqual([]);
    }, 120_000);
  }

  it('after the failovers: a revocation on any instance is in force everywhere within 1 s', async () => {
    await allReady(apps, 30_000);
    await revokedEverywhereWithinOneSecond();
  });

  it("after the failovers: a back-channel logout on one instance ends the person's tokens on every instance within 1 s, and its replay is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const alice = await idp.signAccessToken({ sub: 'alice', iat: now - 5 });
    expect(await statusesOf(apps, alice)).toEqual([200, 200, 200]);
    const events = { 'http://schemas.openid.net/event/backchannel-logout': {} };
    const logoutToken = await idp.signAccessToken(
      { sub: 'alice', events, iat: now },
      { header: { typ: 'logout+jwt' } },
    );
    const post = (app: RunningProcess) =>
      call(`${app.url}/v1/backchannel-logout`, undefined, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: logoutToken }).toString(),
      });
    expect((await post(apps[1]!)).status).toBe(200);
    const took = await waitFor(async () => (await statusesOf(apps, alice)).every((s) => s === 401), 1000);
    expect(took).toBeLessThan(1000);
    expect((await post(apps[2]!)).status).toBe(400);
    const bob = await idp.signAccessToken({ sub: 'bob' });
    expect(await statusesOf(apps, bob)).toEqual([200, 200, 200]);
  });

  it("after the failovers: an identity's rate limit is summed over the instances (overshoot at most 10 % + one per instance)", async () => {
    const { admitted: ok, refused: limited, others } = await admittedInTurn(apps, LIMITED, 60);
    expect(others).toEqual([]);
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(20 + 2 + 3);
    expect(limited!.headers.get('ratelimit-policy')).toBe('"default";q=20;w=3600');
  });

  it('after the failovers: failed authentications from one address block it on every instance', async () => {
    const from = '203.0.113.9';
    expect(await failFrom(apps, from, 5)).toEqual([401, 401, 401, 401, 401]);
    await waitFor(async () => {
      const statuses = await Promise.all(
        apps.map(async (app) => (await call(`${app.url}/v1/whoami`, USER, { from })).status),
      );
      return statuses.every((s) => s === 429);
    }, 1000);
    expect((await call(`${apps[1]!.url}/v1/whoami`, USER, { from: '203.0.113.10' })).status).toBe(200);
  });

  it('after the failovers: a DPoP proof used on one instance is refused as a replay by the others', async () => {
    const bound = await idp.signAccessToken({ sub: 'svc-dpop', cnf: { jkt: dpopKey.thumbprint } });
    const dpop = await createDpopProof(dpopKey, {
      method: 'GET',
      url: `${PUBLIC_URL}/v1/whoami`,
      accessToken: bound,
    });
    const send = (app: RunningProcess) =>
      call(`${app.url}/v1/whoami`, undefined, { headers: { authorization: `DPoP ${bound}`, dpop } });
    expect((await send(apps[0]!)).status).toBe(200);
    for (const app of apps.slice(1)) {
      const replayed = await send(app);
      expect(`${app.name} ${replayed.status}`).toBe(`${app.name} 401`);
      expect(replayed.headers.get('www-authenticate')).toContain('invalid_dpop_proof');
    }
  });
});
