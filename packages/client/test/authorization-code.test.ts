import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationDeniedError,
  createOidcClient,
  InvalidAuthorizationResponseError,
  loginWithAuthorizationCode,
} from '../src/index.js';
import { headlessLogin } from './helpers/login.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer?.close();
});

describe('loginWithAuthorizationCode (PKCE, loopback callback)', () => {
  it('logs a user in headlessly: provider login and consent pages, then the callback server', async () => {
    const { idp } = issuer;
    const client = createOidcClient({ issuer: idp.issuer, clientId: idp.clients.cli.clientId });
    const seen: string[] = [];
    const tokens = await loginWithAuthorizationCode(client, {
      port: 0,
      onAuthorizationUrl: (url) => seen.push(url),
      openBrowser: async (url) => {
        await idp.loginHeadless(url, { username: 'alice', password: 'alice' }, { deliver: true });
      },
    });
    const authUrl = new URL(seen[0]!);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authUrl.searchParams.get('state')).toBeTruthy();
    expect(authUrl.searchParams.get('nonce')).toBeTruthy();
    expect(authUrl.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(authUrl.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'offline_access']),
    );
    expect(authUrl.searchParams.get('prompt')).toBe('consent'); // so that a refresh token is issued

    expect(decodeJwt(tokens.accessToken)).toMatchObject({ sub: 'alice', aud: idp.audience, iss: idp.issuer });
    expect(decodeJwt(tokens.idToken!)).toMatchObject({
      sub: 'alice',
      nonce: authUrl.searchParams.get('nonce'),
    });
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt! - tokens.obtainedAt).toBe(600);
  });

  it('works for a confidential client with a secret', async () => {
    const { idp } = issuer;
    const client = createOidcClient({
      issuer: idp.issuer,
      clientId: idp.clients.web.clientId,
      clientSecret: idp.clients.web.clientSecret,
    });
    const tokens = await headlessLogin(client, idp, 'bob')();
    expect(decodeJwt(tokens.accessToken).sub).toBe('bob');
  });

  it('ignores a forged callback with another state and completes with the real one', async () => {
    const { idp } = issuer;
    const client = createOidcClient({ issuer: idp.issuer, clientId: idp.clients.cli.clientId });
    const forged: number[] = [];
    const tokens = await loginWithAuthorizationCode(client, {
      port: 0,
      openBrowser: async (url) => {
        const callback = await idp.loginHeadless(url, { username: 'alice', password: 'alice' });
        const wrong = new URL(callback);
        wrong.searchParams.set('state', 'not-the-state');
        forged.push((await fetch(wrong)).status);
        await fetch(callback);
      },
    });
    expect(forged).toEqual([400]);
    expect(decodeJwt(tokens.accessToken).sub).toBe('alice');
  });

  it('reports a denied login (error in the callback) as AuthorizationDeniedError', async () => {
    const { idp } = issuer;
    const client = createOidcClient({ issuer: idp.issuer, clientId: idp.clients.cli.clientId });
    const login = loginWithAuthorizationCode(client, {
      port: 0,
      openBrowser: async (url) => {
        const u = new URL(url);
        const back = new URL(u.searchParams.get('redirect_uri')!);
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('state', u.searchParams.get('state')!);
        await fetch(back);
      },
    });
    await expect(login).rejects.toBeInstanceOf(AuthorizationDeniedError);
    await expect(login).rejects.toMatchObject({ code: 'authorization_denied', oauthError: 'access_denied' });
  });

  it('rejects an authorization response whose ID token nonce does not match', async () => {
    const { idp } = issuer;
    const client = createOidcClient({ issuer: idp.issuer, clientId: idp.clients.cli.clientId });
    const login = loginWithAuthorizationCode(client, {
      port: 0,
      openBrowser: async (url) => {
        // The provider signs whatever nonce the authorization request carried; swap it for another one.
        const u = new URL(url);
        u.searchParams.set('nonce', 'someone-elses-nonce');
        await idp.loginHeadless(u.href, { username: 'alice', password: 'alice' }, { deliver: true });
      },
    });
    await expect(login).rejects.toBeInstanceOf(InvalidAuthorizationResponseError);
  });
});
