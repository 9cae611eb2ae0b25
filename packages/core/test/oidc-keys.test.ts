import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditEvent, OidcAuthProvider, type OidcProviderOptions } from '../src/index.js';
import { BACKENDS, useBackendIn } from './helpers/backends.js';
import { FixedClock } from './helpers/clock.js';
import { KeyServer, makeKey } from './helpers/key-server.js';

describe.each(BACKENDS)('OidcAuthProvider key sets, %s backend', (backend) => {
  useBackendIn(backend);
  let idp: KeyServer;
  let clock: FixedClock;
  const events: AuditEvent[] = [];
  const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };

  beforeEach(async () => {
    idp = await KeyServer.start();
    clock = new FixedClock();
    events.length = 0;
  });
  afterEach(() => idp.close());

  const provider = (overrides: Partial<OidcProviderOptions> = {}) =>
    new OidcAuthProvider({
      issuers: [{ issuer: idp.issuer, audience: idp.audience }],
      now: clock.now,
      logger,
      tokenCacheSize: 0,
      ...overrides,
    });
  const sign = (claims: Record<string, unknown> = {}, options = {}) =>
    idp.sign(claims, options, clock.seconds);

  it('finds the key set by discovery and fetches it once for 200 concurrent cold requests', async () => {
    const p = provider();
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => sign({ sub: `u${i}` })));
    const results = await Promise.all(tokens.map((t) => p.validateToken(t)));
    expect(results.map((r) => r.subject)).toEqual(tokens.map((_, i) => `u${i}`));
    expect(idp.hits).toEqual({ discovery: 1, jwks: 1 });
  });

  it('uses a configured jwksUri without discovery', async () => {
    const p = provider({ issuers: [{ issuer: idp.issuer, audience: idp.audience, jwksUri: idp.jwksUri }] });
    await p.validateToken(await sign());
    expect(idp.hits).toEqual({ discovery: 0, jwks: 1 });
  });

  it('fetches at most once per cooldown window for 500 tokens with random kids', async () => {
    const p = provider();
    await p.validateToken(await sign());
    const stranger = await makeKey('RS256');
    const forged = await Promise.all(
      Array.from({ length: 500 }, () => sign({}, { kid: randomUUID(), key: stranger.privateKey })),
    );
    clock.advance(31); // the first unknown kid may trigger one fetch
    const outcomes = await Promise.all(
      forged.map((t) => p.validateToken(t).catch((e: { code: string }) => e.code)),
    );
    expect(new Set(outcomes)).toEqual(new Set(['unknown_key']));
    expect(idp.hits.jwks).toBe(2);
    // Still inside the window: no more fetches, however many unknown kids arrive.
    clock.advance(29);
    await Promise.all(forged.slice(0, 100).map((t) => p.validateToken(t).catch(() => {})));
    expect(idp.hits.jwks).toBe(2);
    clock.advance(1);
    await p.validateToken(forged[0]!).catch(() => {});
    expect(idp.hits.jwks).toBe(3);
  });

  it('accepts a rotated key at the latest one cooldown window after it appears', async () => {
    const p = provider();
    await p.validateToken(await sign());
    const rotated = await idp.addKey('ES256');
    const token = await sign({}, { kid: rotated.kid });
    clock.advance(5);
    await expect(p.validateToken(token)).rejects.toMatchObject({ code: 'unknown_key' });
    clock.advance(25);
    expect((await p.validateToken(token)).subject).toBe('user-1');
    expect(idp.hits.jwks).toBe(2);
  });

  it('refreshes an old key set in the background and drops removed keys', async () => {
    const p = provider({ jwksRefreshIntervalSecs: 600 });
    const first = idp.keys[0]!;
    await p.validateToken(await sign());
    const second = await idp.addKey();
    idp.removeKey(first.kid);
    clock.advance(601);
    // The old key still serves this request while the refresh runs.
    expect((await p.validateToken(await sign({}, { kid: first.kid, key: first.privateKey }))).subject).toBe(
      'user-1',
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(idp.hits.jwks).toBe(2);
    await expect(
      p.validateToken(await sign({}, { kid: first.kid, key: first.privateKey })),
    ).rejects.toMatchObject({
      code: 'unknown_key',
    });
    expect((await p.validateToken(await sign({}, { kid: second.kid }))).subject).toBe('user-1');
  });

  it('keeps serving cached keys when the issuer goes down', async () => {
    const p = provider({ jwksRefreshIntervalSecs: 60 });
    await p.validateToken(await sign());
    idp.behaviour = 'reset';
    clock.advance(3600);
    for (let i = 0; i < 3; i++) {
      expect((await p.validateToken(await sign({ sub: `after-${i}` }))).subject).toBe(`after-${i}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events.some((e) => e.event === 'gatehouse.jwks.failed')).toBe(true);
    // An unknown kid during the outage is a bad token, not an outage: keys are cached.
    const stranger = await makeKey('RS256');
    clock.advance(60);
    await expect(
      p.validateToken(await sign({}, { kid: stranger.kid, key: stranger.privateKey })),
    ).rejects.toMatchObject({ code: 'unknown_key' });
  });

  it.each(['error', 'reset'] as const)(
    'answers an issuer down from the start (%s) with 503 and Retry-After',
    async (how) => {
      idp.behaviour = how;
      const p = provider();
      const token = await sign();
      const results = await Promise.all(
        Array.from({ length: 50 }, () => p.validateToken(token).catch((e: unknown) => e)),
      );
      for (const err of results)
        expect(err).toMatchObject({ code: 'issuer_unavailable', status: 503, retryAfterSecs: 1 });
      expect(idp.hits.discovery).toBe(1);
      // Inside the back-off, no new attempt is made.
      await expect(p.validateToken(token)).rejects.toMatchObject({ code: 'issuer_unavailable' });
      expect(idp.hits.discovery).toBe(1);
      // Once the issuer is back and the back-off has passed, the token is accepted.
      idp.behaviour = 'ok';
      clock.advance(1);
      expect((await p.validateToken(token)).subject).toBe('user-1');
    },
  );

  it('backs off exponentially, up to the cooldown, while the issuer stays down', async () => {
    idp.behaviour = 'error';
    const p = provider();
    const token = await sign();
    const retries: number[] = [];
    for (let i = 0; i < 7; i++) {
      const err = (await p.validateToken(token).catch((e: unknown) => e)) as { retryAfterSecs: number };
      retries.push(err.retryAfterSecs);
      clock.advance(err.retryAfterSecs);
    }
    expect(retries).toEqual([1, 2, 4, 8, 16, 30, 30]);
    expect(idp.hits.discovery).toBe(7);
  });

  it('times out a hanging issuer', async () => {
    idp.behaviour = 'hang';
    const p = provider({ httpTimeoutMs: 200 });
    await expect(p.validateToken(await sign())).rejects.toMatchObject({ code: 'issuer_unavailable' });
  });

  it.each(['discovery', 'jwks'])('does not follow a redirect from %s', async (which) => {
    const target = await KeyServer.start();
    try {
      idp.redirectTo =
        which === 'discovery' ? `${target.issuer}/.well-known/openid-configuration` : target.jwksUri;
      if (which === 'discovery') idp.behaviour = 'redirect';
      else idp.discoveryOverride = { issuer: idp.issuer, jwks_uri: `${idp.issuer}/redirecting-jwks` };
      const p =
        which === 'discovery'
          ? provider()
          : provider({ issuers: [{ issuer: idp.issuer, audience: idp.audience, jwksUri: idp.jwksUri }] });
      if (which === 'jwks') idp.behaviour = 'redirect';
      await expect(p.validateToken(await sign())).rejects.toMatchObject({ code: 'issuer_unavailable' });
      expect(target.hits).toEqual({ discovery: 0, jwks: 0 });
      expect(events.find((e) => e.event === 'gatehouse.jwks.failed')?.reason).toMatch(/redirect refused 302/);
    } finally {
      await target.close();
    }
  });

  it('refuses a discovery document naming another issuer', async () => {
    idp.discoveryOverride = { issuer: `${idp.issuer}/`, jwks_uri: idp.jwksUri };
    await expect(provider().validateToken(await sign())).rejects.toMatchObject({
      code: 'issuer_unavailable',
    });
    expect(idp.hits.jwks).toBe(0);
  });

  it('refuses a non-loopback http jwks_uri from discovery', async () => {
    idp.discoveryOverride = { issuer: idp.issuer, jwks_uri: 'http://keys.example.com/jwks' };
    await expect(provider().validateToken(await sign())).rejects.toMatchObject({
      code: 'issuer_unavailable',
    });
    expect(events.find((e) => e.event === 'gatehouse.jwks.failed')?.reason).toMatch(/https/);
  });

  it('refuses an oversized key set', async () => {
    idp.jwksOverride = { keys: [idp.keys[0]!.publicJwk], padding: 'x'.repeat(20_000) };
    const p = provider({ maxResponseBytes: 10_000 });
    await expect(p.validateToken(await sign())).rejects.toMatchObject({ code: 'issuer_unavailable' });
    expect(events.find((e) => e.event === 'gatehouse.jwks.failed')?.reason).toMatch(
      /larger than 10000 bytes/,
    );
  });

  it('skips hostile keys: symmetric, short RSA, encryption, private members, unknown algorithms', async () => {
    const legit = idp.keys[0]!;
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const secret = Buffer.from(JSON.stringify(legit.publicJwk)).toString('base64url');
    idp.jwksOverride = {
      keys: [
        { kty: 'oct', kid: 'sym', k: secret, alg: 'HS256' },
        { ...weak, kid: 'weak', alg: 'RS256' },
        { ...legit.publicJwk, kid: 'enc', use: 'enc' },
        { ...legit.publicJwk, kid: 'ops', key_ops: ['encrypt'] },
        { ...legit.publicJwk, kid: 'hs', alg: 'HS256' },
        { kty: 'EC', kid: 'curve', crv: 'secp256k1', x: 'AA', y: 'AA' },
        { kty: 'RSA', kid: 'junk', n: '!!', e: 'AQAB' },
        'not a key',
        legit.publicJwk,
      ],
    };
    const p = provider();
    expect((await p.validateToken(await sign())).subject).toBe('user-1');
    const loaded = events.find((e) => e.event === 'gatehouse.jwks.loaded');
    expect(loaded?.kids).toEqual([legit.kid]);
    expect(loaded?.skipped).toHaveLength(8);
    // HS256 "signed" with the oct key's bytes is refused by algorithm, whatever the key set holds.
    const { SignJWT } = await import('jose');
    const hs = await new SignJWT({ iss: idp.issuer, aud: idp.audience, sub: 'x', exp: clock.seconds + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
      .sign(Buffer.from(secret, 'base64url'));
    await expect(p.validateToken(hs)).rejects.toMatchObject({ code: 'unsupported_algorithm' });
  });

  it('uses the only fitting key for a token without kid, and refuses when several fit', async () => {
    const p = provider();
    const token = await sign({}, { kid: undefined, header: { kid: undefined } });
    expect((await p.validateToken(token)).subject).toBe('user-1');
    await idp.addKey('RS256');
    clock.advance(30);
    const p2 = provider();
    await expect(p2.validateToken(token)).rejects.toMatchObject({ code: 'unknown_key' });
  });

  it('warmUp fetches the keys ahead of the first request', async () => {
    const p = provider();
    await p.warmUp();
    expect(idp.hits.jwks).toBe(1);
    await p.validateToken(await sign());
    expect(idp.hits.jwks).toBe(1);
  });
});
