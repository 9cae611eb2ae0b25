import { getHeapSnapshot, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcAuthProvider, TokenCache } from '../src/index.js';
import { FixedClock } from './helpers/clock.js';
import { KeyServer } from './helpers/key-server.js';

describe('validated-token cache', () => {
  let idp: KeyServer;
  beforeAll(async () => {
    idp = await KeyServer.start();
  });
  afterAll(() => idp.close());

  const provider = (clock: FixedClock, options: { size?: number; ttl?: number } = {}) =>
    new OidcAuthProvider({
      issuers: [{ issuer: idp.issuer, audience: idp.audience }],
      now: clock.now,
      tokenCacheSize: options.size ?? 1000,
      tokenCacheTtlSecs: options.ttl ?? 300,
      clockToleranceSecs: 0,
    });

  it('caches a token from its second verification on: the same frozen identity, no re-verification', async () => {
    const clock = new FixedClock();
    const p = provider(clock);
    const token = await idp.sign({}, {}, clock.seconds);
    const first = await p.validateToken(token);
    expect(p.peek(token)).toBeUndefined(); // seen once: only its fingerprint is noted
    const second = await p.validateToken(token);
    expect(second).not.toBe(first);
    expect(p.peek(token)).toBe(second);
    // The key server going away proves the next answers never touched the keys again.
    idp.behaviour = 'reset';
    expect(await p.validateToken(token)).toBe(second);
    idp.behaviour = 'ok';
  });

  it('never caches a token seen once: one-off tokens neither fill it nor evict', async () => {
    const clock = new FixedClock();
    const p = provider(clock, { size: 2 });
    const hot = await idp.sign({ sub: 'hot' }, {}, clock.seconds);
    await p.validateToken(hot);
    const cached = await p.validateToken(hot);
    for (let i = 0; i < 50; i++)
      await p.validateToken(await idp.sign({ sub: `once-${i}` }, {}, clock.seconds));
    expect(p.peek(hot)).toBe(cached);
  });

  it('never lets an entry outlive the token exp, even with a longer TTL', async () => {
    const clock = new FixedClock();
    const p = provider(clock, { ttl: 3600 });
    const token = await idp.sign({ exp: clock.seconds + 10 }, {}, clock.seconds);
    await p.validateToken(token);
    await p.validateToken(token);
    expect(p.peek(token)).toBeDefined();
    clock.advance(9);
    expect((await p.validateToken(token)).subject).toBe('user-1');
    clock.advance(1);
    expect(p.peek(token)).toBeUndefined();
    await expect(p.validateToken(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('re-verifies after the cache TTL', async () => {
    const clock = new FixedClock();
    const p = provider(clock, { ttl: 60 });
    const token = await idp.sign({ exp: clock.seconds + 3600 }, {}, clock.seconds);
    await p.validateToken(token);
    const first = await p.validateToken(token);
    clock.advance(59);
    expect(await p.validateToken(token)).toBe(first);
    clock.advance(1);
    expect(p.peek(token)).toBeUndefined();
    const second = await p.validateToken(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('keeps no raw token where a heap dump can read it, only digests', async () => {
    const clock = new FixedClock();
    const p = provider(clock, { size: 100 });
    const fingerprints = new Set<string>();
    for (let i = 0; i < 20; i++) {
      // The token lives only inside this call; the test keeps its digest.
      fingerprints.add(
        await (async () => {
          const token = await idp.sign({ sub: `heap-${i}` }, {}, clock.seconds);
          // As the adapters do: the synchronous peek misses, then validateToken verifies.
          for (let seen = 0; seen < 2; seen++) {
            expect(p.peek(token)).toBeUndefined();
            await p.validateToken(token);
          }
          expect(p.peek(token)?.subject).toBe(`heap-${i}`);
          return TokenCache.digest(token);
        })(),
      );
    }
    expect((await heapStrings()).filter((s) => fingerprints.has(TokenCache.digest(s)))).toEqual([]);
    // The cache does hold the 20 entries, under their digests.
    const digests = await heapStrings();
    expect([...fingerprints].every((d) => digests.includes(d))).toBe(true);
  });

  it('stays bounded by its size (LRU)', async () => {
    const clock = new FixedClock();
    const cache = new TokenCache({ size: 3, ttlSecs: 300, now: clock.now });
    const auth = { subject: 's' } as never;
    const tokens = ['token-a', 'token-b', 'token-c', 'token-d'];
    for (const token of tokens) {
      cache.add(token, auth, clock.now() + 10_000);
      cache.add(token, auth, clock.now() + 10_000);
    }
    expect(cache.size).toBe(3);
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.get('token-d')).toBe(auth);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('token-d')).toBeUndefined();
  });

  it('decides a hit by digest: a token sharing the fingerprint of a cached one is a miss', () => {
    const clock = new FixedClock();
    const cache = new TokenCache({ size: 10, ttlSecs: 300, now: clock.now });
    const auth = { subject: 's' } as never;
    const tail = 'abcdefghijkl'; // the fingerprint reads the last 12 characters
    cache.add(`first.${tail}`, auth, clock.now() + 10_000);
    cache.add(`first.${tail}`, auth, clock.now() + 10_000);
    expect(cache.get(`first.${tail}`)).toBe(auth);
    expect(cache.get(`forge.${tail}`)).toBeUndefined();
  });

  it('is disabled by size 0 or TTL 0', async () => {
    const clock = new FixedClock();
    for (const options of [{ size: 0 }, { ttl: 0 }]) {
      const p = provider(clock, options);
      const token = await idp.sign({}, {}, clock.seconds);
      const first = await p.validateToken(token);
      const second = await p.validateToken(token);
      expect(await p.validateToken(token)).not.toBe(second);
      expect(second).not.toBe(first);
      expect(p.peek(token)).toBeUndefined();
    }
  });
});

// Every string in a fresh heap snapshot of this process, after a full garbage collection.
async function heapStrings(): Promise<string[]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // V8 remembers the subject of the last regular-expression match (RegExp.$_): replace it.
  /x/.test('x');
  gc();
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { strings: string[] }).strings;
}
