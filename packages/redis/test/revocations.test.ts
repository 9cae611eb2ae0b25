import { createGatehouse, requestView } from '@gatehouse/core';
import { type Revocation, StateUnavailableError } from '@gatehouse/core/state';
import { freePort, hasRedis, RedisServer, waitFor } from '@gatehouse/testkit';
import { createClient } from '@redis/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisState, type RedisState, RedisStateError } from '../src/index.js';
import { keyLayout } from '../src/keys.js';
import { TcpProxy } from './helpers/proxy.js';

const ISSUER = 'https://login.example.com';
let counter = 0;
function revocation(fields: Partial<Revocation> = {}): Revocation {
  counter++;
  return {
    id: `rev-${counter}-${Math.random().toString(36).slice(2)}`,
    kind: 'jti',
    issuer: ISSUER,
    jti: `jti-${counter}`,
    createdAt: Date.now(),
    expiresAt: Date.now() + 3_600_000,
    ...fields,
  };
}

describe.skipIf(!hasRedis)('revocations shared on a real redis-server', () => {
  let redis: RedisServer;
  const states: RedisState[] = [];
  const proxies: TcpProxy[] = [];
  let prefix = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(states.splice(0).map((s) => s.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  // Every test gets its own key prefix: no state leaks between tests sharing the server.
  async function instances(n: number, url = redis.url, keyPrefix = `t${++prefix}:`): Promise<RedisState[]> {
    const made = Array.from({ length: n }, () => createRedisState({ url, keyPrefix }));
    states.push(...made);
    for (const state of made) expect(await state.ready()).toBe(true);
    return made;
  }

  it('repairs a missed message at the periodic check (a change written without a broadcast)', async () => {
    const keyPrefix = `t${++prefix}:`;
    const [a] = await instances(1, redis.url, keyPrefix);
    const r = revocation();
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      await raw.hSet(keyLayout(keyPrefix).rev, r.id, JSON.stringify(r));
      await raw.incr(keyLayout(keyPrefix).version);
      const took = await waitFor(() => a!.revocations.inForce.has(r.id), 1000);
      expect(took).toBeLessThan(1000);
      await raw.hDel(keyLayout(keyPrefix).rev, r.id);
      await raw.incr(keyLayout(keyPrefix).version);
      await waitFor(() => !a!.revocations.inForce.has(r.id), 1000);
    } finally {
      await raw.close();
    }
  });

  it('applies what was revoked and lifted while an instance was cut off, within 1 s of reconnecting', async () => {
    const keyPrefix = `t${++prefix}:`;
    const proxy = await TcpProxy.start(redis.port);
    proxies.push(proxy);
    const [cutOff] = await instances(1, proxy.url, keyPrefix);
    const [other] = await instances(1, redis.url, keyPrefix);
    const kept = revocation();
    const lifted = revocation();
    await other!.revocations.store(kept);
    await other!.revocations.store(lifted);
    await waitFor(() => cutOff!.revocations.inForce.size === 2);

    proxy.cut();
    await waitFor(() => !cutOff!.isReachable());
    await expect(cutOff!.revocations.store(revocation())).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(cutOff!.revocations.lift(kept.id)).rejects.toBeInstanceOf(StateUnavailableError);
    // Still enforced from memory while cut off.
    expect(cutOff!.revocations.inForce.has(kept.id)).toBe(true);
    const made = revocation();
    await other!.revocations.store(made);
    await other!.revocations.lift(lifted.id);
    expect(cutOff!.revocations.inForce.has(made.id)).toBe(false);

    proxy.mend();
    await waitFor(() => cutOff!.isReachable(), 3000);
    const took = await waitFor(
      () => cutOff!.revocations.inForce.has(made.id) && !cutOff!.revocations.inForce.has(lifted.id),
      1000,
    );
    expect(took).toBeLessThan(1000);
    // The lifted one was not put back: Redis kept its data, so it was lifted, not lost.
    expect(other!.revocations.inForce.has(lifted.id)).toBe(false);
    expect(cutOff!.revocations.inForce.has(kept.id)).toBe(true);
  });

  it('answers claims from memory and refuses revocations while Redis is unreachable at start-up', async () => {
    const port = await freePort();
    const state = createRedisState({ url: `redis://127.0.0.1:${port}`, keyPrefix: `t${++prefix}:` });
    states.push(state);
    expect(state.isReachable()).toBe(false);
    expect(await state.oneTimeIds.claim({ scope: 'dpop-jti', id: 'x', ttlSecs: 60 })).toBe('fresh');
    expect(await state.oneTimeIds.claim({ scope: 'dpop-jti', id: 'x', ttlSecs: 60 })).toBe('replayed');
    await expect(state.revocations.store(revocation())).rejects.toBeInstanceOf(StateUnavailableError);
    expect(() => state.counters.lease({ key: 'k', limit: 1, want: 1, debt: 0, ttlMs: 1000 })).toThrow(
      StateUnavailableError,
    );

    const late = await RedisServer.start({ port });
    try {
      await waitFor(() => state.isReachable(), 5000);
      const r = revocation();
      await state.revocations.store(r);
      expect(state.revocations.inForce.has(r.id)).toBe(true);
    } finally {
      await state.close();
      await late.stop();
    }
  });

  it('answers 503, never 201, for a revocation that cannot be stored, and 201 once it can', async () => {
    const port = await freePort();
    const state = createRedisState({ url: `redis://127.0.0.1:${port}`, keyPrefix: `t${++prefix}:` });
    states.push(state);
    const gate = createGatehouse({
      apiKeys: [{ name: 'ops', key: 'ops-key-0123456789' }],
      admins: ['ops'],
      state,
      routes: true,
      env: false,
    });
    const call = async (method: string, path: string, body = '') => {
      const view = requestView({
        method,
        path,
        authorization: 'Bearer ops-key-0123456789',
        headers: { 'content-type': 'application/json' },
      });
      const answer = await gate.routes!.serve(gate.routes!.match(method, path)!, view, async () => ({
        text: body,
      }));
      return { ...answer, body: answer.body && JSON.parse(answer.body) };
    };
    const create = () => call('POST', '/v1/admin/revocations', '{"apiKey":"billing"}');
    const refused = await create();
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(refused.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(state.revocations.inForce.size).toBe(0);
    expect((await call('DELETE', '/v1/admin/revocations/whatever')).status).toBe(503);
    const late = await RedisServer.start({ port });
    try {
      await waitFor(() => state.isReachable(), 5000);
      expect((await create()).status).toBe(201);
      expect(state.revocations.inForce.size).toBe(1);
    } finally {
      await state.close();
      await late.stop();
    }
  });

  it('refuses a malformed URL, naming the option and never quoting it', () => {
    expect(() => createRedisState({ url: 'http://user:s3cret@cache:6379' })).toThrow(RedisStateError);
    expect(() => createRedisState({ url: 'http://user:s3cret@cache:6379' })).toThrow(
      /"url" must start with redis:\/\//,
    );
    expect(() => createRedisState({ url: 'redis://cache:6379/x' })).toThrow(/database number/);
    const query = () => createRedisState({ url: 'redis://user:s3cret@cache:6379?x=1' });
    expect(query).toThrow(/"url" must not have a query/);
    expect(query).not.toThrow(/s3cret/);
  });

  it('notices a flush while connected and puts the revocations back', async () => {
    const keyPrefix = `t${++prefix}:`;
    const [a] = await instances(1, redis.url, keyPrefix);
    const r = revocation();
    await a!.revocations.store(r);
    const raw = createClient({ url: redis.url });
    await raw.connect();
    try {
      await raw.flushAll();
      await waitFor(async () => (await raw.hExists(keyLayout(keyPrefix).rev, r.id)) === 1, 2000);
    } finally {
      await raw.close();
    }
    expect(a!.revocations.inForce.has(r.id)).toBe(true);
  });
});
