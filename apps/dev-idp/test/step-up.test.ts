import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ACR_MFA,
  ACR_PASSWORD,
  CLI_CLIENT_ID,
  type DevIdp,
  type DevIdpSession,
  HeadlessFlowError,
  type HeadlessUser,
  startDevIdp,
} from '../src/index.js';
import { configFor, loginWithCode, verifyAccessToken } from './helpers.js';

const ALICE: HeadlessUser = { username: 'alice', password: 'alice' };
const ALICE_WITH_CODE: HeadlessUser = { ...ALICE, oneTimeCode: '000000' };

let idp: DevIdp;
let config: client.Configuration;
beforeAll(async () => {
  idp = await startDevIdp();
  config = await configFor(idp, CLI_CLIENT_ID);
});
afterAll(() => idp.close());

/** Authorization code + PKCE in a browser-like session, with extra authorization parameters. */
async function loginIn(session: DevIdpSession, user: HeadlessUser, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:43117/callback',
    scope: 'openid offline_access api:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const callback = await session.login(url.href, user);
  return client.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: verifier });
}

describe('authentication context in the tokens', () => {
  test('a password login: acr password, amr pwd and auth_time in the access token', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { tokens } = await loginWithCode(idp, config, ALICE);
    const { payload } = await verifyAccessToken(idp, tokens.access_token);
    expect(payload).toMatchObject({ acr: ACR_PASSWORD, amr: ['pwd'] });
    expect(payload.auth_time).toBeGreaterThanOrEqual(before);
    expect(payload.auth_time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  test('a login with the one-time code given voluntarily reaches mfa', async () => {
    const { tokens } = await loginWithCode(idp, config, ALICE_WITH_CODE, {
      extra: { acr_values: ACR_MFA },
    });
    const { payload } = await verifyAccessToken(idp, tokens.access_token);
    expect(payload).toMatchObject({ acr: ACR_MFA, amr: ['pwd', 'otp'] });
    // OpenID Connect: the ID token carries acr when acr_values asked for it.
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ acr: ACR_MFA });
  });

  test('a refreshed access token keeps the acr and auth_time of the login', async () => {
    const { tokens } = await loginWithCode(idp, config, ALICE, { scope: 'openid offline_access api:read' });
    const first = decodeJwt(tokens.access_token);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({
      acr: ACR_PASSWORD,
      auth_time: first.auth_time,
    });
  });

  test('client credentials tokens carry no authentication context (no user logged in)', async () => {
    const service = await configFor(idp, idp.clients.service.clientId, idp.clients.service.clientSecret);
    const tokens = await client.clientCredentialsGrant(service, { scope: 'api:read' });
    const payload = decodeJwt(tokens.access_token);
    expect(payload.acr).toBeUndefined();
    expect(payload.auth_time).toBeUndefined();
  });

  test('discovery advertises both classes', async () => {
    const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      acr_values_supported?: string[];
    };
    expect(doc.acr_values_supported).toEqual([ACR_PASSWORD, ACR_MFA]);
  });
});

describe('step-up (RFC 9470): acr_values', () => {
  test('a signed-in user asked for mfa logs in again with the code; the new token says mfa', async () => {
    const session = idp.session();
    const first = await loginIn(session, ALICE);
    expect(decodeJwt(first.access_token).acr).toBe(ACR_PASSWORD);

    // Single sign-on: without acr_values the session suffices, whatever "password" the user holds.
    const sso = await loginIn(session, { username: 'alice', password: 'not-asked' });
    expect(decodeJwt(sso.access_token).acr).toBe(ACR_PASSWORD);

    const stepped = await loginIn(session, ALICE_WITH_CODE, { acr_values: ACR_MFA });
    expect(decodeJwt(stepped.access_token)).toMatchObject({ acr: ACR_MFA, amr: ['pwd', 'otp'] });

    // The session is now at mfa: asking for it again (or for less) needs no login.
    const again = await loginIn(
      session,
      { username: 'alice', password: 'not-asked' },
      { acr_values: ACR_MFA },
    );
    expect(decodeJwt(again.access_token).acr).toBe(ACR_MFA);
  });

  test('without the code the step-up login is refused', async () => {
    const session = idp.session();
    await loginIn(session, ALICE);
    const refused = loginIn(session, ALICE, { acr_values: ACR_MFA });
    await expect(refused).rejects.toBeInstanceOf(HeadlessFlowError);
    await expect(refused).rejects.toMatchObject({ code: 'LOGIN_REFUSED' });
  });

  test('a wrong code is refused', async () => {
    const refused = loginWithCode(
      idp,
      config,
      { ...ALICE, oneTimeCode: '999999' },
      { extra: { acr_values: ACR_MFA } },
    );
    await expect(refused).rejects.toMatchObject({ code: 'LOGIN_REFUSED' });
  });

  test('an OAuth client asks with acr_values and max_age but no openid scope (RFC 9470 §4)', async () => {
    const resource = 'http://127.0.0.1:9/mcp';
    const { tokens } = await loginWithCode(idp, config, ALICE_WITH_CODE, {
      scope: 'api:read',
      extra: { resource, acr_values: ACR_MFA, max_age: '300' },
    });
    const { payload } = await verifyAccessToken(idp, tokens.access_token, resource);
    // The access token is for the resource, with its scope only: openid was added for the login.
    expect(payload).toMatchObject({ aud: resource, acr: ACR_MFA, scope: 'api:read' });
  });

  test('an unknown class is a voluntary claim: the session suffices', async () => {
    const session = idp.session();
    await loginIn(session, ALICE);
    const tokens = await loginIn(
      session,
      { username: 'alice', password: 'x' },
      { acr_values: 'urn:other:loa:3' },
    );
    expect(decodeJwt(tokens.access_token).acr).toBe(ACR_PASSWORD);
  });
});

describe('max_age', () => {
  test('max_age=0 makes a signed-in user log in again (auth_time is the new login)', async () => {
    const session = idp.session();
    const first = await loginIn(session, ALICE);
    const refused = loginIn(session, { username: 'alice', password: 'wrong' }, { max_age: '0' });
    await expect(refused).rejects.toMatchObject({ code: 'LOGIN_REFUSED' });

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await loginIn(session, ALICE, { max_age: '0' });
    expect(decodeJwt(again.access_token).auth_time).toBeGreaterThan(
      decodeJwt(first.access_token).auth_time as number,
    );
  });

  test('a session younger than max_age is reused', async () => {
    const session = idp.session();
    const first = await loginIn(session, ALICE);
    const reused = await loginIn(session, { username: 'alice', password: 'wrong' }, { max_age: '600' });
    expect(decodeJwt(reused.access_token).auth_time).toBe(decodeJwt(first.access_token).auth_time);
  });
});
