import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OidcAuthProvider, Readiness, type ReadinessProbe, readinessAnswer } from '../src/index.js';
import { KeyServer } from './helpers/key-server.js';

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Readiness', () => {
  let idp: KeyServer;
  let other: KeyServer;
  const closers: (() => void)[] = [];

  beforeEach(async () => {
    [idp, other] = await Promise.all([KeyServer.start(), KeyServer.start()]);
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    await Promise.all([idp.close(), other.close()]);
  });

  const setUp = (options: { probes?: ReadinessProbe[]; retryIntervalMs?: number } = {}) => {
    const provider = new OidcAuthProvider({
      issuers: [
        { issuer: idp.issuer, audience: idp.audience },
        { issuer: other.issuer, audience: other.audience },
      ],
      httpTimeoutMs: 500,
    });
    const readiness = new Readiness({ keySets: () => provider.insight().keySets, ...options });
    closers.push(() => readiness.close());
    return { provider, readiness };
  };

  it('is not ready before the keys are loaded, and ready after warmUp', async () => {
    const { readiness } = setUp();
    expect(readiness.report()).toEqual({
      ready: false,
      missing: [{ issuer: idp.issuer }, { issuer: other.issuer }],
    });
    expect(await readiness.warmUp()).toEqual({ ready: true, missing: [] });
    expect(readinessAnswer(readiness.report())).toEqual({
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: { status: 'ready' },
    });
  });

  it('names the issuer that failed and retries it in the background until it answers', async () => {
    idp.behaviour = 'error';
    const { readiness } = setUp({ retryIntervalMs: 50 });
    const report = await readiness.warmUp();
    expect(report).toEqual({ ready: false, missing: [{ issuer: idp.issuer }] });
    expect(readinessAnswer(report)).toMatchObject({
      status: 503,
      body: { status: 'not_ready', missing: [{ issuer: idp.issuer }] },
    });
    const fetchesWhileDown = idp.hits.discovery;
    await eventually(() => idp.hits.discovery >= fetchesWhileDown + 2);
    idp.behaviour = 'ok';
    await eventually(() => readiness.report().ready);
  });

  it('retries when asked, where no timer outlives a request (workerd): report() starts a due retry', async () => {
    // The interval timer never fires here, as on workerd once the request that set it has answered.
    vi.useFakeTimers({ toFake: ['setInterval'] });
    try {
      idp.behaviour = 'error';
      const { readiness } = setUp({ retryIntervalMs: 300 });
      expect((await readiness.warmUp()).ready).toBe(false);
      idp.behaviour = 'ok';
      const hits = idp.hits.discovery;
      expect(readiness.report().ready).toBe(false); // not due yet: no fetch
      expect(readiness.pending()).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(readiness.report().ready).toBe(false); // due: the retry starts in the background
      const pending = readiness.pending();
      expect(pending).toBeInstanceOf(Promise);
      await pending;
      expect(idp.hits.discovery).toBe(hits + 1);
      expect(readiness.report()).toEqual({ ready: true, missing: [] });
      expect(readiness.pending()).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('stays ready when the issuer goes down after its keys loaded (they keep serving)', async () => {
    const { provider, readiness } = setUp();
    await readiness.warmUp();
    idp.behaviour = 'error';
    await provider
      .insight()
      .keySets[0]!.refresh()
      .catch(() => {});
    expect(readiness.report().ready).toBe(true);
  });

  it('reports a component that does not answer, and one whose probe throws', async () => {
    let redisUp = false;
    const { readiness } = setUp({
      probes: [
        { component: 'redis', isReady: () => redisUp },
        {
          component: 'broken',
          isReady: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    expect((await readiness.warmUp()).missing).toEqual([{ component: 'redis' }, { component: 'broken' }]);
    redisUp = true;
    expect(readiness.report().missing).toEqual([{ component: 'broken' }]);
  });

  it('refuses a retry interval above 10 s', () => {
    expect(() => new Readiness({ keySets: () => [], retryIntervalMs: 10_001 })).toThrow(/retryIntervalMs/);
  });
});
