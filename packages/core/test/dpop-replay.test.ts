import { describe, expect, it } from 'vitest';
import { type AuditEvent, ReplayGuard } from '../src/index.js';
import { LocalClaims, type OneTimeIds } from '../src/state/index.js';
import { FixedClock } from './helpers/clock.js';

describe('ReplayGuard on the one-time ids of the state', () => {
  it('forgets a proof id once its window has passed, synchronously on the in-process store', () => {
    const clock = new FixedClock();
    const ids = new LocalClaims(clock.now);
    const guard = new ReplayGuard({ ttlSecs: 361, ids });
    expect(guard.claim('k', 'a', clock.seconds)).toBe('fresh');
    expect(guard.claim('k', 'a', clock.seconds)).toBe('replayed');
    clock.advance(362);
    expect(guard.claim('k', 'b', clock.seconds)).toBe('fresh');
    expect(ids.size).toBe(1);
  });

  it('keeps no memory of its own: the store is the only one', () => {
    const ids = new LocalClaims();
    const a = new ReplayGuard({ ttlSecs: 361, ids });
    const b = new ReplayGuard({ ttlSecs: 361, ids });
    expect(a.claim('k', 'a', 0)).toBe('fresh');
    expect(b.claim('k', 'a', 0)).toBe('replayed');
    expect(ids.size).toBe(1);
  });

  it('stays bounded without opening a replay window: proofs older than what it forgot are refused', () => {
    const clock = new FixedClock();
    const ids = new LocalClaims(clock.now, 2);
    const guard = new ReplayGuard({ ttlSecs: 361, ids });
    const issuedAt = clock.seconds;
    expect(guard.claim('k', 'a', issuedAt)).toBe('fresh');
    clock.advance(1);
    expect(guard.claim('k', 'b', issuedAt)).toBe('fresh');
    clock.advance(1);
    expect(guard.claim('k', 'c', clock.seconds)).toBe('fresh'); // 'a' is dropped
    expect(ids.size).toBe(2);
    // 'a' could be replayed now that it is forgotten, but its iat is before the horizon (plus skew).
    expect(guard.claim('k', 'a', issuedAt, 60)).toBe('too_old');
    expect(guard.claim('k', 'd', clock.seconds + 60, 60)).toBe('fresh');
  });

  it('admits when a store breaks its rules (fails or does not answer), says so once, and passes its answers on', async () => {
    const events: AuditEvent[] = [];
    const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };
    let mode: 'down' | 'hang' | 'up' = 'down';
    const seen = new LocalClaims();
    const ids: OneTimeIds = {
      claim: (claim) => {
        if (mode === 'down') throw new Error('connection refused');
        if (mode === 'hang') return new Promise(() => {});
        return Promise.resolve(seen.claim(claim));
      },
      release: () => {},
    };
    const guard = new ReplayGuard({ ttlSecs: 361, ids, timeoutMs: 50, logger });
    expect(await guard.claim('k', 'a', 0)).toBe('fresh');
    mode = 'hang';
    expect(await guard.claim('k', 'b', 0)).toBe('fresh');
    mode = 'up';
    expect(await guard.claim('k', 'c', 0)).toBe('fresh');
    expect(await guard.claim('k', 'c', 0)).toBe('replayed');
    expect(events.map((e) => e.event)).toEqual([
      'gatehouse.dpop.replay_store_unreachable',
      'gatehouse.dpop.replay_store_restored',
    ]);
  });
});
