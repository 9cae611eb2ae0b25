import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createClientCredentialsSource,
  createFileTokenStore,
  createOidcClient,
  requestClientCredentialsToken,
  TokenRequestError,
} from '../src/index.js';
import { fixedClock, tempDir } from './helpers/fixtures.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer({ extraAudiences: ['urn:gatehouse:reports'] });
});
afterAll(async () => {
  await issuer?.close();
});
beforeEach(() => issuer.proxy.reset());

const serviceClient = (extra: Record<string, unknown> = {}) =>
  createOidcClient({
    issuer: issuer.idp.issuer,
    clientId: issuer.idp.clients.service.clientId,
    clientSecret: issuer.idp.clients.service.clientSecret,
    fetch: issuer.proxy.fetch,
    ...extra,
  });

describe('client credentials', () => {
  it('gets a JWT for the client itself, with the requested audience and scope', async () => {
    const tokens = await requestClientCredentialsToken(serviceClient({ scope: 'api:read' }), {
      audience: 'urn:gatehouse:reports',
    });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({
      sub: 'gatehouse-service',
      aud: 'urn:gatehouse:reports',
      scope: 'api:read',
    });
    expect(tokens.refreshToken).toBeUndefined();
  });

  it('works with an explicit token endpoint and no discovery', async () => {
    const client = createOidcClient({
      issuer: issuer.idp.issuer,
      tokenEndpoint: `${issuer.proxy.origin}/token`,
      clientId: issuer.idp.clients.service.clientId,
      clientSecret: issuer.idp.clients.service.clientSecret,
    });
    const tokens = await requestClientCredentialsToken(client);
    expect(decodeJwt(tokens.accessToken).aud).toBe(issuer.idp.audience);
    expect(issuer.proxy.requests.map((r) => r.path)).toEqual(['/token']);
  });

  it('20 concurrent getToken() calls make one token request and share its token', async () => {
    const source = createClientCredentialsSource(serviceClient());
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(issuer.proxy.count('client_credentials')).toBe(1);
    await source.getToken();
    expect(issuer.proxy.count('client_credentials')).toBe(1);
  });

  it('renews shortly before expiry (10% of a 600 s lifetime), not before', async () => {
    const clock = fixedClock();
    const source = createClientCredentialsSource(serviceClient(), { clock: clock.now });
    const first = await source.getToken();
    clock.advance(539);
    expect(await source.getToken()).toBe(first);
    expect(issuer.proxy.count('client_credentials')).toBe(1);
    clock.advance(2); // 541 s: inside the last 60 s
    const second = await source.getToken();
    expect(second).not.toBe(first);
    expect(issuer.proxy.count('client_credentials')).toBe(2);
  });

  it('with a token file, a second source (another process) reuses the cached token', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const path = `${dir}/svc.json`;
      const a = createClientCredentialsSource(serviceClient(), { store: createFileTokenStore({ path }) });
      const b = createClientCredentialsSource(serviceClient(), { store: createFileTokenStore({ path }) });
      const token = await a.getToken();
      expect(await b.getToken()).toBe(token);
      expect(issuer.proxy.count('client_credentials')).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('with a token file, a cached token is not reused for a scope it was not granted', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const path = `${dir}/svc.json`;
      const read = createClientCredentialsSource(serviceClient({ scope: 'api:read' }), {
        store: createFileTokenStore({ path }),
      });
      const write = createClientCredentialsSource(serviceClient({ scope: 'api:write' }), {
        store: createFileTokenStore({ path }),
      });
      const first = await read.getToken();
      const second = await write.getToken();
      expect(second).not.toBe(first);
      expect(decodeJwt(second).scope).toBe('api:write');
      expect(issuer.proxy.count('client_credentials')).toBe(2);
    } finally {
      await cleanup();
    }
  });

  it('reports a wrong secret as TokenRequestError invalid_client, without the secret', async () => {
    const client = serviceClient({ clientSecret: 'wrong-secret-value' });
    const err = await requestClientCredentialsToken(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({
      code: 'token_request_failed',
      oauthError: 'invalid_client',
      grantType: 'client_credentials',
    });
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('wrong-secret-value');
  });
});
