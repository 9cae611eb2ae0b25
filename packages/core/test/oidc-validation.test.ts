import { exportSPKI, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthContext,
  OidcAuthProvider,
  type OidcProviderOptions,
  verificationBackendName,
} from '../src/index.js';
import { BACKENDS, useBackendIn } from './helpers/backends.js';
import { FixedClock } from './helpers/clock.js';
import { type JoseKey, KeyServer, makeKey } from './helpers/key-server.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(BACKENDS)('OidcAuthProvider token checks, %s backend', (backend) => {
  useBackendIn(backend);
  let idp: KeyServer;
  let other: KeyServer;
  let attacker: KeyServer;
  const clock = new FixedClock();

  beforeAll(async () => {
    [idp, other, attacker] = await Promise.all([
      KeyServer.start(),
      KeyServer.start({ audience: 'urn:other:api' }),
      KeyServer.start(),
    ]);
  });
  afterAll(() => Promise.all([idp.close(), other.close(), attacker.close()]));

  const provider = (overrides: Partial<OidcProviderOptions> = {}) =>
    new OidcAuthProvider({
      issuers: [
        { issuer: idp.issuer, audience: idp.audience },
        { issuer: other.issuer, audience: other.audience },
      ],
      admins: ['alice@example.com', 'root-subject'],
      now: clock.now,
      tokenCacheSize: 0,
      ...overrides,
    });
  const sign = (claims: Record<string, unknown> = {}, options = {}) =>
    idp.sign(claims, options, clock.seconds);

  it('accepts a valid token and builds the identity from its claims', async () => {
    const token = await sign({ sub: 'u-1', email: 'u1@example.com', scope: 'read write' });
    const auth: AuthContext = await provider().validateToken(token);
    expect(auth).toMatchObject({
      subject: 'u-1',
      email: 'u1@example.com',
      issuer: idp.issuer,
      audience: idp.audience,
      authType: 'oidc',
      isAdmin: false,
      scopes: ['read', 'write'],
    });
    expect(auth.expiresAt?.getTime()).toBe((clock.seconds + 300) * 1000);
    expect(auth.claims.sub).toBe('u-1');
    expect(Object.isFrozen(auth) && Object.isFrozen(auth.claims) && Object.isFrozen(auth.scopes)).toBe(true);
  });

  it('reads scopes from scp as an array or a string', async () => {
    const p = provider();
    expect((await p.validateToken(await sign({ scp: ['a', 'b'] }))).scopes).toEqual(['a', 'b']);
    expect((await p.validateToken(await sign({ scp: 'c d' }))).scopes).toEqual(['c', 'd']);
  });

  it('verifies synchronously with node:crypto, with a promise on WebCrypto, and from the cache on both', async () => {
    expect(verificationBackendName('RSA')).toBe(backend);
    const p = provider({ tokenCacheSize: 100 });
    await p.warmUp();
    const token = await sign();
    const first = p.resolve(token);
    expect(first instanceof Promise).toBe(backend === 'webcrypto');
    await first;
    await p.resolve(token); // a token is cached the second time it is verified
    const cached = p.resolve(token);
    expect(cached instanceof Promise).toBe(false);
    expect((cached as AuthContext).subject).toBe('user-1');
  });

  describe.each(['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'RS512'])('algorithm %s', (alg) => {
    it('verifies a token signed with it', async () => {
      const key = await idp.addKey(alg);
      const token = await sign({}, { kid: key.kid });
      expect((await provider().validateToken(token)).subject).toBe('user-1');
      idp.removeKey(key.kid);
    });
  });

  it('refuses alg "none", with or without a signature', async () => {
    const payload = b64({ iss: idp.issuer, aud: idp.audience, sub: 'x', exp: clock.seconds + 60 });
    const p = provider();
    await expect(p.validateToken(`${b64({ alg: 'none' })}.${payload}.`)).rejects.toMatchObject({
      code: 'invalid_token',
    });
    await expect(p.validateToken(`${b64({ alg: 'none' })}.${payload}.c2ln`)).rejects.toMatchObject({
      code: 'unsupported_algorithm',
    });
  });

  it('refuses HS256 signed with the issuer public key as the secret (key confusion)', async () => {
    const key = idp.keys[0]!;
    const publicKey = await (await import('jose')).importJWK(key.publicJwk, 'RS256');
    const pem = await exportSPKI(publicKey as JoseKey);
    const token = await new SignJWT({ iss: idp.issuer, aud: idp.audience, sub: 'x', exp: clock.seconds + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .sign(new TextEncoder().encode(pem));
    await expect(provider().validateToken(token)).rejects.toMatchObject({ code: 'unsupported_algorithm' });
  });

  it('refuses an algorithm outside the configured allow-list', async () => {
    const token = await sign();
    await expect(provider({ algorithms: ['ES256'] }).validateToken(token)).rejects.toMatchObject({
      code: 'unsupported_algorithm',
    });
  });

  it('refuses a token whose key does not fit its algorithm', async () => {
    const ec = await idp.addKey('ES256');
    // An RS256 header naming the EC key's kid.
    const token = await sign({}, { kid: ec.kid, alg: 'RS256', key: idp.keys[0]!.privateKey });
    await expect(provider().validateToken(token)).rejects.toMatchObject({ code: 'unknown_key' });
    idp.removeKey(ec.kid);
  });

  it('refuses an unknown kid', async () => {
    const stranger = await makeKey('RS256');
    const token = await sign({}, { kid: stranger.kid, key: stranger.privateKey });
    await expect(provider().validateToken(token)).rejects.toMatchObject({
      code: 'unknown_key',
      kid: stranger.kid,
    });
  });

  it.each(['jku', 'x5u', 'jwk', 'x5c'])('ignores a %s header pointing at an attacker key', async (param) => {
    const evil = attacker.keys[0]!;
    const values: Record<string, unknown> = {
      jku: attacker.jwksUri,
      x5u: `${attacker.issuer}/cert.pem`,
      jwk: evil.publicJwk,
      x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
    };
    const before = { ...attacker.hits };
    const p = provider();
    // Signed by the attacker, naming the attacker's kid, and naming the legitimate kid.
    for (const kid of [evil.kid, idp.keys[0]!.kid]) {
      const token = await sign({}, { kid, key: evil.privateKey, header: { [param]: values[param] } });
      await expect(p.validateToken(token)).rejects.toMatchObject({
        code: kid === evil.kid ? 'unknown_key' : 'invalid_token',
      });
    }
    expect(attacker.hits).toEqual(before);
  });

  it('refuses a tampered payload (bad signature)', async () => {
    const [h, , s] = (await sign({ sub: 'user' })).split('.');
    const forged = `${h}.${b64({ iss: idp.issuer, aud: idp.audience, sub: 'admin', exp: clock.seconds + 60 })}.${s}`;
    await expect(provider().validateToken(forged)).rejects.toMatchObject({
      code: 'invalid_token',
      reason: 'signature',
    });
  });

  it('refuses claims of issuer A signed with the key of issuer B (cross-issuer)', async () => {
    const token = await other.sign({ iss: idp.issuer, aud: idp.audience }, {}, clock.seconds);
    await expect(provider().validateToken(token)).rejects.toMatchObject({ code: 'unknown_key' });
    // Naming A's kid does not help: the signature is checked with A's key only.
    const withKid = await other.sign(
      { iss: idp.issuer, aud: idp.audience },
      { kid: idp.keys[0]!.kid, key: other.keys[0]!.privateKey },
      clock.seconds,
    );
    await expect(provider().validateToken(withKid)).rejects.toMatchObject({
      code: 'invalid_token',
      reason: 'signature',
    });
  });

  it('accepts each issuer with its own audience only', async () => {
    const p = provider();
    expect((await p.validateToken(await other.sign({}, {}, clock.seconds))).issuer).toBe(other.issuer);
    const wrong = await other.sign({ aud: idp.audience }, {}, clock.seconds);
    await expect(p.validateToken(wrong)).rejects.toMatchObject({ code: 'audience_mismatch' });
  });

  it('compares iss exactly: no trailing-slash or case folding', async () => {
    const p = provider();
    for (const iss of [
      `${idp.issuer}/`,
      idp.issuer.toUpperCase(),
      idp.issuer.replace('127.0.0.1', 'localhost'),
    ]) {
      await expect(p.validateToken(await sign({ iss })), iss).rejects.toMatchObject({
        code: 'unknown_issuer',
      });
    }
    await expect(p.validateToken(await sign({ iss: undefined }))).rejects.toMatchObject({
      code: 'unknown_issuer',
    });
  });

  it('checks aud: equal, or an array containing the audience', async () => {
    const p = provider();
    expect((await p.validateToken(await sign({ aud: ['x', idp.audience] }))).audience).toBe(idp.audience);
    await expect(p.validateToken(await sign({ aud: 'urn:someone:else' }))).rejects.toMatchObject({
      code: 'audience_mismatch',
      expected: [idp.audience],
      actual: ['urn:someone:else'],
    });
    await expect(p.validateToken(await sign({ aud: undefined }))).rejects.toMatchObject({
      code: 'audience_mismatch',
    });
    await expect(p.validateToken(await sign({ aud: [] }))).rejects.toMatchObject({
      code: 'audience_mismatch',
    });
  });

  it('requires exp, and refuses an expired token beyond the tolerance', async () => {
    const p = provider();
    await expect(p.validateToken(await sign({ exp: undefined }))).rejects.toMatchObject({
      code: 'invalid_token',
      claim: 'exp',
    });
    await expect(p.validateToken(await sign({ exp: 'soon' }))).rejects.toMatchObject({ claim: 'exp' });
    await expect(p.validateToken(await sign({ exp: clock.seconds - 61 }))).rejects.toMatchObject({
      code: 'token_expired',
    });
    // Within the 60 s tolerance.
    expect((await p.validateToken(await sign({ exp: clock.seconds - 59 }))).subject).toBe('user-1');
    await expect(
      provider({ clockToleranceSecs: 0 }).validateToken(await sign({ exp: clock.seconds - 1 })),
    ).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('refuses nbf and iat in the future beyond the tolerance', async () => {
    const p = provider();
    await expect(p.validateToken(await sign({ nbf: clock.seconds + 61 }))).rejects.toMatchObject({
      code: 'token_not_yet_valid',
      claim: 'nbf',
    });
    await expect(p.validateToken(await sign({ iat: clock.seconds + 61 }))).rejects.toMatchObject({
      code: 'token_not_yet_valid',
      claim: 'iat',
    });
    expect(
      (await p.validateToken(await sign({ nbf: clock.seconds + 59, iat: clock.seconds + 59 }))).subject,
    ).toBe('user-1');
    await expect(p.validateToken(await sign({ nbf: 'later' }))).rejects.toMatchObject({ claim: 'nbf' });
  });

  it('requires a non-empty string sub', async () => {
    const p = provider();
    for (const sub of [undefined, '', 42]) {
      await expect(p.validateToken(await sign({ sub })), String(sub)).rejects.toMatchObject({
        code: 'invalid_token',
        claim: 'sub',
      });
    }
  });

  it('refuses an unknown critical header', async () => {
    const token = `${b64({ alg: 'RS256', crit: ['x'], x: 1 })}.${b64({ iss: idp.issuer })}.c2ln`;
    await expect(provider().validateToken(token)).rejects.toMatchObject({
      code: 'invalid_token',
      claim: 'crit',
    });
  });

  it('refuses malformed tokens with invalid_token, never another error', async () => {
    const p = provider();
    const malformed = [
      'a.b.c',
      `${b64({ alg: 'RS256' })}.bm90IGpzb24.c2ln`,
      `${b64({ alg: 'RS256' })}.${b64([1, 2])}.c2ln`,
      `${b64('string')}.${b64({})}.c2ln`,
      `${b64({ alg: 'RS256', kid: 7 })}.${b64({ iss: idp.issuer })}.c2ln`,
      `${b64({ alg: 'RS256' })}.${b64({ iss: idp.issuer })}.c2ln+`,
      `${b64({ alg: 'RS256' })}.${b64({ iss: idp.issuer })}`,
    ];
    for (const token of malformed) {
      const err = await p.validateToken(token).catch((e: unknown) => e);
      expect(err, token).toMatchObject({ status: 401 });
      expect(['invalid_token', 'unknown_issuer'], token).toContain((err as { code: string }).code);
    }
  });

  it('refuses a valid token with characters that a lenient base64url decoder would skip or accept', async () => {
    const p = provider();
    const token = await sign({ sub: 'strict' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const at = (segment: string, insert: string) => `${segment.slice(0, 8)}${insert}${segment.slice(8)}`;
    // Node's decoder ignores these (or reads + and / as base64): the bytes, and the signature, stay valid.
    for (const insert of [' ', '\n', '\t', '=', '*', '%', '!', '\u00e9', '\u2028']) {
      for (const bad of [
        `${header}.${payload}.${at(signature, insert)}`,
        `${header}.${at(payload, insert)}.${signature}`,
        `${at(header, insert)}.${payload}.${signature}`,
        `${header}.${payload}.${signature}${insert}`,
      ]) {
        await expect(p.validateToken(bad), JSON.stringify(insert)).rejects.toMatchObject({
          code: 'invalid_token',
        });
      }
    }
    const swapped = signature.replace(/-/g, '+').replace(/_/g, '/');
    if (swapped !== signature) {
      await expect(p.validateToken(`${header}.${payload}.${swapped}`)).rejects.toMatchObject({
        reason: 'malformed',
      });
    }
    await expect(p.validateToken(`${header}.${payload}.${signature}==`)).rejects.toMatchObject({
      reason: 'malformed',
    });
    expect((await p.validateToken(token)).subject).toBe('strict');
  });

  it('grants admin by subject or by email, never by an unverified email', async () => {
    const p = provider();
    expect((await p.validateToken(await sign({ sub: 'root-subject' }))).isAdmin).toBe(true);
    expect((await p.validateToken(await sign({ email: 'Alice@Example.com' }))).isAdmin).toBe(true);
    expect(
      (await p.validateToken(await sign({ email: 'alice@example.com', email_verified: true }))).isAdmin,
    ).toBe(true);
    for (const unverified of [false, 'false', 0]) {
      const auth = await p.validateToken(
        await sign({ email: 'alice@example.com', email_verified: unverified }),
      );
      expect(auth.isAdmin, String(unverified)).toBe(false);
      expect(auth.emailVerified).toBe(false);
    }
    expect((await p.validateToken(await sign({ email: 'bob@example.com' }))).isAdmin).toBe(false);
  });
});
