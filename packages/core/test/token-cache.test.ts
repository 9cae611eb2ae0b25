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

  it('serves a repeated token from the cache: the same frozen identity, no re-verification', async () => {
    const clock = new FixedClock();
    const p = provider(clock);
    const token = await idp.sign({}, {}, clock.seconds);
    const first = await p.validateToken(token);
    // The key server going away proves the second answer never touched the keys again.
    idp.behaviour = 'reset';
    expect(await p.validateToken(token)).toBe(first);
    idp.behaviour = 'ok';
  });

  it('never lets an entry outlive the token exp, even with a longer TTL', async () => {
    const clock = new FixedClock();
    const p = provider(clock, { ttl: 3600 });
    const token = await idp.sign({ exp: clock.seconds + 10 }, {}, clock.seconds);
    await p.validateToken(token);
    clock.advance(9);
    expect((await p.validateToken(token)).subject).toBe('user-1');
    clock.advance(1);
    await expect(p.validateToken(token)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('re-verifies after the cache TTL', async () => {
    const clock = new FixedClock();
    const p = provider(clock, { ttl: 60 });
    const token = await idp.sign({ exp: clock.seconds + 3600 }, {}, clock.seconds);
    const first = await p.validateToken(token);
    clock.advance(59);
    expect(await p.validateToken(token)).toBe(first);
    clock.advance(1);
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
          await p.validateToken(token);
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
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, auth, clock.now() + 10_000);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('d')).toBe(auth);
  });

  it('is disabled by size 0 or TTL 0', async () => {
    const clock = new FixedClock();
    for (const options of [{ size: 0 }, { ttl: 0 }]) {
      const p = provider(clock, options);
      const token = await idp.sign({}, {}, clock.seconds);
      const first = await p.validateToken(token);
      expect(await p.validateToken(token)).not.toBe(first);
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
