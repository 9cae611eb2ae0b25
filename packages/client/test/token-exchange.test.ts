import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOidcClient,
  createTokenExchangeSource,
  exchangeToken,
  loginWithAuthorizationCode,
  TokenRequestError,
  type TokenSource,
} from '../src/index.js';
import { startTestIssuer, type TestIssuer } from './helpers/idp.js';

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
