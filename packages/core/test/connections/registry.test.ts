import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthContext,
  ConnectionCounts,
  ConnectionRegistry,
  createAuthContext,
} from '../../src/index.js';
import { type Revocation, RevocationList } from '../../src/state/index.js';
import { FixedClock } from '../helpers/clock.js';

const ISSUER = 'https://login.example.com';

function oidc(
  subject: string,
  expiresAtMs: number | undefined,
  claims: Record<string, unknown> = {},
): AuthContext {
  return createAuthContext({
    subject,
    issuer: ISSUER,
    authType: 'oidc',
    expiresAt: expiresAtMs === undefined ? undefined : new Date(expiresAtMs),
    claims: { sub: subject, ...claims },
  });
}

const revocation = (fields: Partial<Revocation>): Revocation =>
  ({
    id: `r-${Math.random()}`,
    createdAt: 0,
    expiresAt: null,
    kind: 'jti',
    issuer: ISSUER,
    ...fields,
  }) as Revocation;

/** A registry over a real RevocationList, a clock the test moves and the fake timers moving with it. */
function setUp(graceSecs = 0) {
  const clock = new FixedClock();
  vi.setSystemTime(clock.now());
  const list = new RevocationList();
  const counts = new ConnectionCounts();
  const registry = new ConnectionRegistry({
    revocations: list,
    expiryGraceSecs: graceSecs,
    counts,
    now: clock.now,
  });
  const closes: { who: string; code: number; reason: string }[] = [];
  const track = (auth: AuthContext, transport = 'websocket') =>
    registry.track(auth, transport, (code, reason) => closes.push({ who: auth.subject, code, reason }));
  const advance = async (seconds: number) => {
    clock.advance(seconds);
    await vi.advanceTimersByTimeAsync(seconds * 1000);
  };
  return { clock, list, counts, registry, closes, track, advance };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionRegistry', () => {
  it('closes the connections a new revocation covers, once, and leaves the others', async () => {
    const { list, registry, closes, track, counts } = setUp();
    track(oidc('alice', undefined, { jti: 'a' }));
    track(oidc('bob', undefined, { jti: 'b' }));
    list.add(revocation({ jti: 'a' }));
    list.add(revocation({ jti: 'a' }));
    await Promise.resolve();
    expect(closes).toEqual([{ who: 'alice', code: 4001, reason: 'revoked' }]);
    expect(registry.size).toBe(1);
    expect(counts.closes()).toEqual([{ transport: 'websocket', cause: 'revoked', value: 1 }]);
  });

  it('listens to the revocations only while it tracks a connection', async () => {
    const { list, track } = setUp();
    const onChange = vi.spyOn(list, 'onChange');
    const tracked = track(oidc('alice', undefined));
    track(oidc('bob', undefined)).ended();
    expect(onChange).toHaveBeenCalledTimes(1);
    tracked.ended();
    // Nothing is subscribed any more: a change reaches no listener of the registry.
    const listeners = (list as unknown as { listeners: Set<unknown> }).listeners;
    expect(listeners.size).toBe(0);
  });

  it('ends a connection already covered when it is tracked (a revocation between the decision and the open)', async () => {
    const { list, closes, track } = setUp();
    list.add(revocation({ kind: 'api_key', apiKey: 'billing', issuer: undefined }));
    track(createAuthContext({ subject: 'billing', issuer: 'api_key', authType: 'api_key' }));
    await Promise.resolve();
    expect(closes).toEqual([{ who: 'billing', code: 4001, reason: 'revoked' }]);
  });

  it('closes at exp plus the grace, not before', async () => {
    const { clock, closes, track, advance } = setUp(60);
    track(oidc('alice', clock.now() + 10_000));
    await advance(69);
    expect(closes).toEqual([]);
    await advance(1);
    expect(closes).toEqual([{ who: 'alice', code: 4001, reason: 'expired' }]);
  });

  it('re-arms expiries longer than a timer can wait, and moves the expiry on replace()', async () => {
    const { clock, closes, track, advance } = setUp();
    const day = 86_400;
    const tracked = track(oidc('alice', clock.now() + 30 * day * 1000));
    await advance(25 * day);
    expect(closes).toEqual([]);
    tracked.replace(oidc('alice', clock.now() + 10 * day * 1000));
    await advance(6 * day);
    expect(closes).toEqual([]);
    await advance(4 * day);
    expect(closes).toEqual([{ who: 'alice', code: 4001, reason: 'expired' }]);
  });

  it('counts opens by transport and closes by cause; closeAll() shuts everything with 1001', async () => {
    const { counts, registry, closes, track } = setUp();
    track(oidc('a', undefined), 'websocket');
    track(oidc('b', undefined), 'grpc');
    track(oidc('c', undefined), 'grpc').ended();
    registry.closeAll();
    expect(closes.map((c) => c.code)).toEqual([1001, 1001]);
    expect(counts.open()).toEqual([
      { transport: 'websocket', value: 0 },
      { transport: 'grpc', value: 0 },
    ]);
    expect(counts.closes()).toEqual(
      expect.arrayContaining([
        { transport: 'grpc', cause: 'ended', value: 1 },
        { transport: 'grpc', cause: 'shutdown', value: 1 },
        { transport: 'websocket', cause: 'shutdown', value: 1 },
      ]),
    );
  });
});
