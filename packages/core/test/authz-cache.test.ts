import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthzRequest,
  AuthzUnavailableError,
  authErrorResponse,
  createAuthContext,
  createAuthorizer,
  type DecisionPoint,
  DecisionRecorder,
  EMPTY_INSIGHT,
  METRIC_NAMES,
  type PointAnswer,
} from '../src/index.js';
import { FixedClock } from './helpers/clock.js';
import { TestMeter } from './helpers/meter.js';

const ISSUER = 'https://idp.example.com';

/** A decision point that answers later, when the test says so, and counts what it was asked. */
class SlowPoint implements DecisionPoint {
  readonly backend = 'custom';
  version = 'v1';
  asked: AuthzRequest[] = [];
  batches = 0;
  private waiting: (() => void)[] = [];
  fail = false;

  evaluate(request: AuthzRequest): Promise<PointAnswer> {
    this.asked.push(request);
    return new Promise((resolve, reject) => {
      this.waiting.push(() =>
        this.fail
          ? reject(new AuthzUnavailableError('custom', 'timeout'))
          : resolve({ allowed: request.resource.id !== 'secret' }),
      );
    });
  }

  evaluateMany(requests: readonly AuthzRequest[]): Promise<PointAnswer[]> {
    this.batches++;
    return Promise.all(requests.map((r) => this.evaluate(r)));
  }

  release(): void {
    for (const go of this.waiting.splice(0)) go();
  }

  close(): void {}
}

describe('Authorizer: cache, failure mode, counts', () => {
  let meter: TestMeter | undefined;
  afterEach(() => meter?.shutdown());

  let clock = new FixedClock();
  let alice = createAuthContext({ subject: 'alice', issuer: ISSUER, authType: 'oidc' });
  beforeEach(() => {
    // A token that expires in 30 s, on a clock the test moves.
    clock = new FixedClock();
    const expiresAt = new Date(clock.now() + 30_000);
    alice = createAuthContext({ subject: 'alice', issuer: ISSUER, authType: 'oidc', expiresAt });
  });
  const setup = (ttlSecs = 300) => {
    const point = new SlowPoint();
    const authorizer = createAuthorizer(
      { backend: 'custom', point, cache: { ttlSecs, size: 2 } },
      { now: clock.now },
    );
    return { point, authorizer };
  };

  it('answers a cached decision synchronously, and asks once for concurrent requests', async () => {
    const { point, authorizer } = setup();
    const first = authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' });
    const second = authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' });
    expect(first).toBeInstanceOf(Promise);
    point.release();
    expect(await first).toMatchObject({ allowed: true, cached: false });
    expect(await second).toMatchObject({ allowed: true });
    expect(point.asked).toHaveLength(1);
    const third = authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' });
    expect(third).not.toBeInstanceOf(Promise);
    expect(third).toMatchObject({ allowed: true, cached: true });
  });

  it('keys decisions by subject (with its scopes and roles), action, resource, context and policy version', async () => {
    const { point, authorizer } = setup();
    const ask = async (auth = alice, action = 'read', id = 'p-1', context = {}) => {
      const verdict = authorizer.authorize(auth, action, { type: 'process', id }, context);
      point.release();
      return verdict;
    };
    await ask();
    await ask(createAuthContext({ subject: 'alice', issuer: ISSUER, authType: 'oidc', scopes: ['x'] }));
    await ask(alice, 'delete');
    await ask(alice, 'read', 'p-2');
    await ask(alice, 'read', 'p-1', { method: 'GET' });
    expect(point.asked).toHaveLength(5);
    point.version = 'v2';
    await ask();
    expect(point.asked).toHaveLength(6);
  });

  it('never keeps a decision past the token exp, nor past its TTL', async () => {
    const { point, authorizer } = setup(600);
    const verdict = authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' });
    point.release();
    await verdict;
    clock.advance(29);
    expect(authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' })).not.toBeInstanceOf(Promise);
    clock.advance(2);
    expect(authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' })).toBeInstanceOf(Promise);
    point.release();

    const keyUser = createAuthContext({ subject: 'svc', issuer: 'api_key', authType: 'api_key' });
    const short = setup(10);
    const keyed = short.authorizer.authorize(keyUser, 'read', { type: 'process' });
    short.point.release();
    await keyed;
    clock.advance(11);
    expect(short.authorizer.authorize(keyUser, 'read', { type: 'process' })).toBeInstanceOf(Promise);
    short.point.release();
  });

  it('is bounded: the least recently used decision goes first', async () => {
    const { point, authorizer } = setup();
    for (const id of ['a', 'b', 'c']) {
      const verdict = authorizer.authorize(alice, 'read', { type: 'process', id });
      point.release();
      await verdict;
    }
    expect(authorizer.cache.size).toBe(2);
    expect(authorizer.authorize(alice, 'read', { type: 'process', id: 'a' })).toBeInstanceOf(Promise);
    point.release();
  });

  it('fails closed: an outage is a 503 with Retry-After, never an allow, and is not cached', async () => {
    const { point, authorizer } = setup();
    point.fail = true;
    const verdict = authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' });
    point.release();
    const settled = await verdict;
    expect(settled.allowed).toBe(false);
    if (settled.allowed) return;
    expect(settled.error.code).toBe('authz_unavailable');
    const response = authErrorResponse(settled.error);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    // A backend that throws something else is an outage too.
    const broken = createAuthorizer({
      backend: 'custom',
      point: {
        backend: 'custom',
        version: '1',
        evaluate: () => {
          throw new TypeError('bug');
        },
        evaluateMany: () => [],
        close: () => {},
      },
    });
    expect(broken.authorize(alice, 'read', { type: 'process' })).toMatchObject({
      allowed: false,
      error: { code: 'authz_unavailable', reason: 'engine' },
    });
    point.fail = false;
    const retried = authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' });
    expect(retried).toBeInstanceOf(Promise);
    point.release();
    expect(await retried).toMatchObject({ allowed: true });
  });

  it('filters a list in one batch, asking only for what is not cached', async () => {
    const { point, authorizer } = setup();
    const first = authorizer.authorize(alice, 'read', { type: 'process', id: 'p-1' });
    point.release();
    await first;
    const resources = ['p-1', 'secret', 'p-3'].map((id) => ({ type: 'process', id }));
    const verdicts = authorizer.authorizeAll(alice, 'read', resources);
    point.release();
    expect((await verdicts).map((v) => v.allowed)).toEqual([true, false, true]);
    expect(point.batches).toBe(1);
    expect(point.asked.map((r) => r.resource.id)).toEqual(['p-1', 'secret', 'p-3']);
  });

  it('counts every decision by backend, outcome and cache use', async () => {
    meter = new TestMeter();
    const recorder = new DecisionRecorder({
      issuers: [ISSUER],
      insight: () => EMPTY_INSIGHT,
      meterProvider: meter.meterProvider,
    });
    const point = new SlowPoint();
    const authorizer = createAuthorizer({ backend: 'custom', point }, { recorder, now: clock.now });
    for (const id of ['p-1', 'p-1', 'secret']) {
      const verdict = authorizer.authorize(alice, 'read', { type: 'process', id });
      point.release();
      await verdict;
    }
    point.fail = true;
    const failed = authorizer.authorize(alice, 'read', { type: 'process', id: 'p-9' });
    point.release();
    await failed;
    const value = (decision: string, cache: string) =>
      meter!.value(METRIC_NAMES.authzDecisionsTotal, { backend: 'custom', decision, cache });
    expect(await value('allow', 'miss')).toBe(1);
    expect(await value('allow', 'hit')).toBe(1);
    expect(await value('deny', 'miss')).toBe(1);
    expect(await value('error', 'miss')).toBe(1);
    recorder.close();
  });
});
