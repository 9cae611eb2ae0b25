import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthProvider,
  type AuthProvider,
  createAuthContext,
  MultiAuthProvider,
  OidcAuthProvider,
  UnknownIssuerError,
} from '../src/index.js';
import { KeyServer } from './helpers/key-server.js';

describe('MultiAuthProvider', () => {
  let idp: KeyServer;
  let multi: MultiAuthProvider;
  beforeAll(async () => {
    idp = await KeyServer.start();
    multi = new MultiAuthProvider([
      new ApiKeyAuthProvider({ keys: [{ name: 'legacy', key: 'legacy-key-1' }] }),
      new OidcAuthProvider({ issuers: [{ issuer: idp.issuer, audience: idp.audience }] }),
    ]);
  });
  afterAll(() => idp.close());

  it('accepts API keys and JWTs side by side', async () => {
    expect((await multi.validateToken('legacy-key-1')).authType).toBe('api_key');
    expect((await multi.validateToken(await idp.sign())).authType).toBe('oidc');
  });

  it('reports the most useful error: an expired JWT says expired', async () => {
    const expired = await idp.sign({ exp: Math.floor(Date.now() / 1000) - 3600 });
    await expect(multi.validateToken(expired)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('reports an unknown API key for a non-JWT that no key matches', async () => {
    await expect(multi.validateToken('not-a-key')).rejects.toMatchObject({ code: 'unknown_api_key' });
  });

  it('prefers "unknown issuer" to "unknown API key" when every provider declines', async () => {
    const keysWithDots = new MultiAuthProvider([
      new ApiKeyAuthProvider({ keys: [{ name: 'dotted', key: 'v1.key.x' }] }),
      new OidcAuthProvider({ issuers: [{ issuer: idp.issuer, audience: idp.audience }] }),
    ]);
    await expect(
      keysWithDots.validateToken(await idp.sign({ iss: 'https://stranger.example' })),
    ).rejects.toMatchObject({
      code: 'unknown_issuer',
    });
  });

  it('skips providers that do not accept the shape, and stops at a final rejection', async () => {
    const calls: string[] = [];
    const probe = (
      name: string,
      behaviour: 'decline' | 'reject' | 'accept',
      accepts = true,
    ): AuthProvider => ({
      accepts: () => accepts,
      validateToken: async () => {
        calls.push(name);
        if (behaviour === 'decline') throw new UnknownIssuerError('x');
        if (behaviour === 'reject') throw Object.assign(new UnknownIssuerError('x'), { final: true });
        return createAuthContext({ subject: name, issuer: name, authType: 'api_key' });
      },
    });
    const chain = new MultiAuthProvider([
      probe('skipped', 'accept', false),
      probe('declines', 'decline'),
      probe('wins', 'accept'),
      probe('never', 'accept'),
    ]);
    expect((await chain.validateToken('t')).subject).toBe('wins');
    expect(calls).toEqual(['declines', 'wins']);
    calls.length = 0;
    const stops = new MultiAuthProvider([probe('final', 'reject'), probe('never', 'accept')]);
    await expect(stops.validateToken('t')).rejects.toBeInstanceOf(UnknownIssuerError);
    expect(calls).toEqual(['final']);
  });

  it('rejects a token no provider accepts as invalid_token', async () => {
    const onlyKeys = new MultiAuthProvider([new ApiKeyAuthProvider({ keys: [{ name: 'a', key: 'k1' }] })]);
    await expect(onlyKeys.validateToken('a.b.c')).rejects.toMatchObject({
      code: 'invalid_token',
      status: 401,
    });
  });
});
