import { join } from 'node:path';
import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFileTokenStore,
  createOidcClient,
  createTokenExchangeSource,
  exchangeToken,
  loginWithAuthorizationCode,
  TOKEN_EXCHANGE_GRANT,
  TokenRequestError,
  type TokenSource,
} from '../src/index.js';
import { tempDir } from './helpers/fixtures.js';

const REPORTS = 'urn:gatehouse:reports';
let issuer: TestIssuer;
let userToken: string;
beforeAll(async () => {
  issuer = await startTestIssuer({ extraAudiences: [REPORTS] });
  const { idp } = issuer;
  const cli = createOidcClient({ issuer: idp.issuer, clientId: idp.clients.cli.clientId });
  const tokens = await loginWithAuthorizationCode(cli, {
    port: 0,
    scope: 'openid offline_access api:read',
    openBrowser: (url) =>
      idp.loginHeadless(url, { username: 'alice', password: 'alice' }, { deliver: true }).then(() => {}),
  });
  userToken = tokens.accessToken;
});
afterAll(async () => {
  await issuer?.close();
});

const serviceClient = () =>
  createOidcClient({
    issuer: issuer.idp.issuer,
    clientId: issuer.idp.clients.service.clientId,
    clientSecret: issuer.idp.clients.service.clientSecret,
    fetch: issuer.proxy.fetch,
  });

describe('token exchange (RFC 8693)', () => {
  it("exchanges a user's token for one with another audience, same subject, the service as actor", async () => {
    const exchanged = await exchangeToken(serviceClient(), { subjectToken: userToken, audience: REPORTS });
    const claims = decodeJwt(exchanged.accessToken);
    expect(decodeJwt(userToken).aud).toBe(issuer.idp.audience);
    expect(claims).toMatchObject({ sub: 'alice', aud: REPORTS, act: { sub: 'gatehouse-service' } });
  });

  it('is a token source like the others: cached, concurrent callers share one exchange', async () => {
    issuer.proxy.reset();
    const subject: TokenSource = { getToken: async () => userToken };
    const source = createTokenExchangeSource(serviceClient(), { subject, audience: REPORTS });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => source.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(decodeJwt(tokens[0]!).aud).toBe(REPORTS);
    expect(issuer.proxy.count('urn:ietf:params:oauth:grant-type:token-exchange')).toBe(1);
  });

  it('refuses a subject token the provider did not issue (invalid_grant)', async () => {
    const forged = `${userToken.slice(0, -4)}AAAA`;
    await expect(
      exchangeToken(serviceClient(), { subjectToken: forged, audience: REPORTS }),
    ).rejects.toMatchObject({
      constructor: TokenRequestError,
      oauthError: 'invalid_grant',
    });
  });
});

describe('an exchange source with a store', () => {
  it('sends the RFC 8693 parameters, keeps the result, and a later source reuses it without the client', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      issuer.proxy.reset();
      const subject: TokenSource = { getToken: async () => userToken };
      const path = join(dir, 'exchanged.json');
      const options = {
        subject,
        audience: REPORTS,
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
      };
      const first = createTokenExchangeSource(serviceClient, {
        ...options,
        store: createFileTokenStore({ path }),
      });
      const token = await first.getToken();
      expect(decodeJwt(token)).toMatchObject({ aud: REPORTS, sub: 'alice' });
      const [request] = issuer.proxy.requests.filter((r) => r.grantType === TOKEN_EXCHANGE_GRANT);
      expect(request?.params).toMatchObject({
        subject_token: userToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: REPORTS,
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      });
      expect(request?.params.resource).toBeUndefined();
      expect(await createFileTokenStore({ path }).read()).toMatchObject({
        accessToken: token,
        grantType: TOKEN_EXCHANGE_GRANT,
        audience: REPORTS,
        clientId: 'gatehouse-service',
      });

      // Another process: the stored token is still valid, so neither the client nor the subject is needed.
      const later = createTokenExchangeSource(
        () => {
          throw new Error('the exchanging client was built');
        },
        {
          ...options,
          subject: { getToken: () => Promise.reject(new Error('asked')) },
          store: createFileTokenStore({ path }),
        },
      );
      expect(await later.getToken()).toBe(token);
      expect(issuer.proxy.count(TOKEN_EXCHANGE_GRANT)).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('resource goes as RFC 8693 resource', async () => {
    issuer.proxy.reset();
    await exchangeToken(serviceClient(), { subjectToken: userToken, resource: REPORTS });
    const [request] = issuer.proxy.requests.filter((r) => r.grantType === TOKEN_EXCHANGE_GRANT);
    expect(request?.params).toMatchObject({ resource: REPORTS });
    expect(request?.params.audience).toBeUndefined();
  });
});
