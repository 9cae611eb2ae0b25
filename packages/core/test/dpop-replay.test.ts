import { describe, expect, it } from 'vitest';
import { type AuditEvent, ReplayGuard } from '../src/index.js';
import { FixedClock } from './helpers/clock.js';

describe('ReplayGuard', () => {
  it('forgets a proof id once its window has passed', () => {
    const clock = new FixedClock();
    const guard = new ReplayGuard({ ttlSecs: 361, now: clock.now });
    expect(guard.claim('k', 'a', clock.seconds)).toBe('fresh');
    expect(guard.claim('k', 'a', clock.seconds)).toBe('replayed');
    clock.advance(362);
    expect(guard.claim('k', 'b', clock.seconds)).toBe('fresh');
    expect(guard.size).toBe(1);
  });

  it('stays bounded without opening a replay window: proofs older than what it forgot are refused', () => {
    const clock = new FixedClock();
    const guard = new ReplayGuard({ ttlSecs: 361, maxEntries: 2, now: clock.now });
    const issuedAt = clock.seconds;
    expect(guard.claim('k', 'a', issuedAt)).toBe('fresh');
    clock.advance(1);
    expect(guard.claim('k', 'b', issuedAt)).toBe('fresh');
    clock.advance(1);
    expect(guard.claim('k', 'c', clock.seconds)).toBe('fresh'); // 'a' is dropped
    expect(guard.size).toBe(2);
    // 'a' could be replayed now that it is forgotten, but its iat is before the horizon (plus skew).
    expect(guard.claim('k', 'a', issuedAt, 60)).toBe('too_old');
    expect(guard.claim('k', 'd', clock.seconds + 60, 60)).toBe('fresh');
  });

  it('decides on local memory when the shared store fails or does not answer, and says so once', async () => {
    const events: AuditEvent[] = [];
    const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };
    let mode: 'down' | 'hang' | 'up' = 'down';
    const shared = {
      claim: () => {
        if (mode === 'down') throw new Error('connection refused');
        if (mode === 'hang') return new Promise<boolean>(() => {});
        return true;
      },
    };
    const guard = new ReplayGuard({ ttlSecs: 361, shared, sharedTimeoutMs: 50, logger });
    expect(await guard.claim('k', 'a', 0)).toBe('fresh');
    expect(await guard.claim('k', 'a', 0)).toBe('replayed');
    mode = 'hang';
    expect(await guard.claim('k', 'b', 0)).toBe('fresh');
    mode = 'up';
    expect(await guard.claim('k', 'c', 0)).toBe('fresh');
    expect(events.map((e) => e.event)).toEqual([
      'gatehouse.dpop.replay_store_unreachable',
      'gatehouse.dpop.replay_store_restored',
    ]);
  });
});
