import { createGatehouse, requestView } from '@gatehouse/core';
import { hasRedis, RedisServer, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KEY = 'svc-key-0123456789';

// GATEHOUSE_REDIS_URL alone, no code: the gate creates its Redis state with this package by itself.
describe.skipIf(!hasRedis)('a gate configured only by GATEHOUSE_REDIS_URL', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.stop());

  it('creates its shared state on Redis, shares revocations with another instance, and closes it', async () => {
    const env = {
      GATEHOUSE_API_KEYS: JSON.stringify([{ name: 'svc', key: KEY }]),
      GATEHOUSE_REDIS_URL: redis.url,
    };
    const [a, b] = [createGatehouse({ env }), createGatehouse({ env })];
    try {
      expect(a.state.kind).toBe('redis');
      await waitFor(() => a.state.isReachable() && b.state.isReachable(), 5000);
      expect(a.ready()).toEqual({ ready: true, missing: [] });
      await a.revocations.revoke({ apiKey: 'svc' });
      const refused = async () => {
        const decision = await b.handle(requestView({ authorization: `Bearer ${KEY}` }), b.route());
        return !decision.admitted && decision.error.code === 'token_revoked';
      };
      expect(await waitFor(refused, 1000)).toBeLessThan(1000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(a.state.isReachable()).toBe(false);
  });
});
