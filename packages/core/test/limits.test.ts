import { describe, expect, it } from 'vitest';
import {
  authErrorResponse,
  createAuthContext,
  FailedAuthThrottle,
  RateLimitedError,
  RateLimiter,
} from '../src/index.js';
import { MemoryState } from '../src/state/index.js';
import { FixedClock } from './helpers/clock.js';

const who = (subject: string, issuer = 'https://idp.example') =>
  createAuthContext({ subject, issuer, authType: 'oidc' });

describe('RateLimiter on the in-process store', () => {
  it('is exact per identity and fixed window, with overrides, and starts over in the next window', () => {
    const clock = new FixedClock(Date.UTC(2026, 0, 1, 0, 0, 10));
    const limiter = new RateLimiter(
      { requests: 5, windowSecs: 60, identities: { vip: { requests: 8 } } },
      new MemoryState({ now: clock.now }).counters,
      clock.now,
    );
    const admitted = (subject: string, n: number) =>
      Array.from({ length: n }, () => limiter.check(who(subject))).filter((v) => v === undefined).length;
    expect(admitted('alice', 10)).toBe(5);
    expect(admitted('vip', 10)).toBe(8);
    expect(admitted('bob', 3)).toBe(3);
    // Same subject at another issuer: another identity.
    expect(limiter.check(who('alice', 'https://other.example'))).toBeUndefined();
    const refused = limiter.check(who('alice')) as RateLimitedError;
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused.retryAfterSecs).toBe(50);
    clock.advance(50);
    expect(admitted('alice', 10)).toBe(5);
  });

  it('answers 429 with Retry-After, RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers)', () => {
    const error = new RateLimitedError({
      reason: 'identity',
      policy: 'default',
      limit: 100,
      windowSecs: 60,
      retryAfterSecs: 29.2,
    });
    const answer = authErrorResponse(error);
    expect(answer.status).toBe(429);
    expect(answer.headers).toMatchObject({
      'retry-after': '30',
      'ratelimit-policy': '"default";q=100;w=60',
      ratelimit: '"default";r=0;t=30',
    });
    expect(answer.headers['www-authenticate']).toBeUndefined();
    expect(answer.body).toEqual({
      error: 'rate_limited',
      error_description: 'rate limit exceeded, retry later',
    });
  });
});

describe('FailedAuthThrottle on the in-process store', () => {
  it('blocks an address after the attempts, until the window ends', async () => {
    const clock = new FixedClock(Date.UTC(2026, 0, 1, 0, 0, 0));
    const state = new MemoryState({ now: clock.now });
    const throttle = new FailedAuthThrottle(
      { attempts: 3, windowSecs: 60 },
      state.counters,
      state.bus,
      clock.now,
    );
    await throttle.recordFailure('192.0.2.1');
    await throttle.recordFailure('192.0.2.1');
    expect(throttle.check('192.0.2.1')).toBeUndefined();
    await throttle.recordFailure('192.0.2.1');
    expect(throttle.check('192.0.2.1')).toMatchObject({ reason: 'failed_auth', retryAfterSecs: 60 });
    expect(throttle.check('192.0.2.2')).toBeUndefined();
    expect(authErrorResponse(throttle.check('192.0.2.1')!).headers['ratelimit-policy']).toBe(
      '"failed_auth";q=3;w=60',
    );
    clock.advance(60);
    expect(throttle.check('192.0.2.1')).toBeUndefined();
  });
});
