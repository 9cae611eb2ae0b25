import {
  type AuthContext,
  createAuthContext,
  FailedAuthThrottle,
  RateLimitedError,
  RateLimiter,
} from '@gatehouse/core';
import { freePort, hasRedis, RedisServer, waitFor } from '@gatehouse/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisState, type RedisState } from '../src/index.js';

const alice: AuthContext = createAuthContext({
  subject: 'alice',
  issuer: 'https://idp.example',
  authType: 'oidc',
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasRedis)('rate limits and failed-auth throttling on a real redis-server', () => {
  let redis: RedisServer;
  const states: RedisState[] = [];
  let prefix = 0;
  // A fixed clock in the middle of a window: no test straddles a window boundary.
  let clock = 0;
  const now = () => clock;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(states.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function instances(n: number): Promise<RedisState[]> {
    const keyPrefix = `l${++prefix}:`;
    clock = (Math.floor(Date.now() / 60_000) + prefix) * 60_000 + 30_000;
    const made = Array.from({ length: n }, () => createRedisState({ url: redis.url, keyPrefix }));
    states.push(...made);
    for (const s of made) expect(await s.ready()).toBe(true);
    await waitFor(() => made.every((s) => s.counters.instances() === n), 2000);
    return made;
  }

  async function run(limiters: RateLimiter[], requests: number, concurrent: boolean): Promise<number> {
    let admitted = 0;
    const one = async (i: number) => {
      const verdict = await limiters[i % limiters.length]!.check(alice);
      if (verdict === undefined) admitted++;
      else expect(verdict).toBeInstanceOf(RateLimitedError);
    };
    if (concurrent) await Promise.all(Array.from({ length: requests }, (_, i) => one(i)));
    else {
      for (let i = 0; i < requests; i++) {
        await one(i);
        await sleep(1); // the pace of requests over HTTP: background leases have time to land
      }
    }
    return admitted;
  }

  it.each([
    [30, false],
    [30, true],
    [200, false],
    [200, true],
  ])(
    'admits %i requests per window summed over three instances (concurrent: %s), within 10 %% + 1 per instance',
    async (limit, concurrent) => {
      const states3 = await instances(3);
      const limiters = states3.map(
        (s) => new RateLimiter({ requests: limit, windowSecs: 60 }, s.counters, now),
      );
      const admitted = await run(limiters, limit * 2, concurrent);
      expect(admitted).toBeGreaterThanOrEqual(limit);
      expect(admitted).toBeLessThanOrEqual(Math.floor(limit * 1.1) + 3);
    },
  );

  it("refuses with the window's quota, its length and the seconds left", async () => {
    const [s] = await instances(1);
    const limiter = new RateLimiter({ requests: 2, windowSecs: 60 }, s!.counters, now);
    expect(await limiter.check(alice)).toBeUndefined();
    await sleep(5);
    expect(await limiter.check(alice)).toBeUndefined();
    await sleep(5);
    let refused = await limiter.check(alice);
    if (refused === undefined) refused = await limiter.check(alice); // the one request of credit
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ limit: 2, windowSecs: 60, retryAfterSecs: 30, reason: 'identity' });
  });

  it('counts per instance while Redis is unreachable', async () => {
    const state = createRedisState({ url: `redis://127.0.0.1:${await freePort()}` });
    states.push(state);
    const limiter = new RateLimiter({ requests: 3, windowSecs: 60 }, state.counters, now);
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await limiter.check(alice));
    expect(verdicts.map((v) => v === undefined)).toEqual([true, true, true, false, false]);
  });

  it('blocks an address on every instance once the shared failure count crosses the limit', async () => {
    const [a, b, c] = await instances(3);
    const throttles = [a!, b!, c!].map(
      (s) => new FailedAuthThrottle({ attempts: 5, windowSecs: 60 }, s.counters, s.bus, now),
    );
    for (let i = 0; i < 4; i++) await throttles[i % 3]!.recordFailure('203.0.113.7');
    expect(throttles.map((t) => t.check('203.0.113.7'))).toEqual([undefined, undefined, undefined]);
    await throttles[1]!.recordFailure('203.0.113.7');
    const took = await waitFor(() => throttles.every((t) => t.check('203.0.113.7') !== undefined), 1000);
    expect(took).toBeLessThan(100);
    expect(throttles[2]!.check('203.0.113.7')).toMatchObject({
      reason: 'failed_auth',
      limit: 5,
      retryAfterSecs: 30,
    });
    expect(throttles[0]!.check('198.51.100.1')).toBeUndefined();
    for (const t of throttles) t.close();
  });
});
