import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CLI_CLIENT_ID,
  DEVICE_CLIENT_ID,
  type DevIdp,
  HeadlessFlowError,
  SERVICE_CLIENT_ID,
  SERVICE_CLIENT_SECRET,
  startDevIdp,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
} from '../src/index.js';
import { configFor, loginWithCode, oauthError, startCallbackServer, verifyAccessToken } from './helpers.js';

const OTHER_API = 'https://other-api.example';

let idp: DevIdp;
beforeAll(async () => {
  idp = await startDevIdp({ extraAudiences: [OTHER_API] });
});
afterAll(() => idp.close());

describe('client credentials', () => {
  test('gives a JWT access token for the default audience, with scope and the client as sub', async () => {
    const config = await configFor(idp, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read api:write' });

    expect(tokens.token_type).toBe('bearer');
    const { payload, protectedHeader } = await verifyAccessToken(idp, tokens.access_token);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: idp.kid });
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: 'urn:gatehouse:example-api',
      sub: SERVICE_CLIENT_ID,
      client_id: SERVICE_CLIENT_ID,
      scope: 'api:read api:write',
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.email).toBeUndefined();
  });

  test('an explicit resource naming a known audience gets that audience', async () => {
    const config = await configFor(idp, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:admin', resource: OTHER_API });
    const { payload } = await verifyAccessToken(idp, tokens.access_token, OTHER_API);
    expect(payload.scope).toBe('api:admin');
  });

  test('an unknown resource is refused with invalid_target', async () => {
    const config = await configFor(idp, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
    const grant = client.clientCredentialsGrant(config, {
      scope: 'api:read',
      resource: 'https://unknown.example',
    });
    expect(await oauthError(grant)).toBe('invalid_target');
  });

  test('a wrong secret is refused', async () => {
    const config = await configFor(idp, SERVICE_CLIENT_ID, 'not-the-secret');
    expect(await oauthError(client.clientCredentialsGrant(config, { scope: 'api:read' }))).toBe(
      'invalid_client',
    );
  });
});

describe('authorization code + PKCE (CLI, public native client)', () => {
  test('on a random loopback port gives access, ID and refresh tokens for the user', async () => {
    const config = await configFor(idp, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(idp, config, { username: 'alice', password: 'alice' });

    const { payload } = await verifyAccessToken(idp, tokens.access_token);
    expect(payload).toMatchObject({
      sub: 'alice',
      aud: idp.audience,
      scope: 'api:read',
      client_id: CLI_CLIENT_ID,
      email: 'alice@example.com',
      email_verified: true,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', email: 'alice@example.com', email_verified: true });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  test('an unverified email is carried as email_verified false', async () => {
    const config = await configFor(idp, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(idp, config, { username: 'mallory', password: 'mallory' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'mallory', email_verified: false });
  });

  test('without offline_access there is no refresh token', async () => {
    const config = await configFor(idp, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(
      idp,
      config,
      { username: 'bob', password: 'bob' },
      { scope: 'openid api:read' },
    );
    expect(tokens.refresh_token).toBeUndefined();
    expect(decodeJwt(tokens.access_token).sub).toBe('bob');
  });

  test('a wrong password or an unknown user is refused', async () => {
    const config = await configFor(idp, CLI_CLIENT_ID);
    for (const user of [
      { username: 'alice', password: 'bob' },
      { username: 'eve', password: 'eve' },
    ]) {
      const login = loginWithCode(idp, config, user);
      await expect(login).rejects.toBeInstanceOf(HeadlessFlowError);
      await expect(login).rejects.toMatchObject({ code: 'LOGIN_REFUSED' });
    }
  });

  test('a redirect URI that is not the registered loopback one is refused', async () => {
    const config = await configFor(idp, CLI_CLIENT_ID);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:5000/elsewhere',
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const login = idp.loginHeadless(url.href, { username: 'alice', password: 'alice' });
    await expect(login).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });
});

describe('refresh tokens', () => {
  test('rotate: the new one works, the old one is refused afterwards', async () => {
    const config = await configFor(idp, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(idp, config, { username: 'alice', password: 'alice' });
    const first = tokens.refresh_token!;

    const refreshed = await client.refreshTokenGrant(config, first);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(first);
    expect((await verifyAccessToken(idp, refreshed.access_token)).payload.sub).toBe('alice');

    expect(await oauthError(client.refreshTokenGrant(config, first))).toBe('invalid_grant');
  });

  test('a revoked refresh token is refused (RFC 7009)', async () => {
    const config = await configFor(idp, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(idp, config, { username: 'bob', password: 'bob' });

    await client.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).toBe('invalid_grant');
  });

  test('JWT access tokens are not stored, so revoking one is refused as unsupported_token_type', async () => {
    const config = await configFor(idp, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(idp, config, { username: 'bob', password: 'bob' });
    expect(await oauthError(client.tokenRevocation(config, tokens.access_token))).toBe(
      'unsupported_token_type',
    );
  });
});

describe('authorization code + PKCE (web, confidential client)', () => {
  test('works with its secret on any loopback port, and deliver: true requests the callback', async () => {
    const callback = await startCallbackServer();
    try {
      const config = await configFor(idp, WEB_CLIENT_ID, WEB_CLIENT_SECRET);
      const verifier = client.randomPKCECodeVerifier();
      const redirectUri = `http://127.0.0.1:${callback.port}/callback`;
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid offline_access api:read api:write',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });

      const final = await idp.loginHeadless(
        url.href,
        { username: 'bob', password: 'bob' },
        { deliver: true },
      );
      expect(final.startsWith(`${redirectUri}?`)).toBe(true);
      expect(callback.received).toEqual([final.slice(`http://127.0.0.1:${callback.port}`.length)]);

      const tokens = await client.authorizationCodeGrant(config, new URL(final), {
        pkceCodeVerifier: verifier,
      });
      const { payload } = await verifyAccessToken(idp, tokens.access_token);
      expect(payload).toMatchObject({ sub: 'bob', scope: 'api:read api:write', client_id: WEB_CLIENT_ID });
      expect(tokens.refresh_token).toEqual(expect.any(String));
    } finally {
      await callback.close();
    }
  });

  test('PKCE is required', async () => {
    const config = await configFor(idp, WEB_CLIENT_ID, WEB_CLIENT_SECRET);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:48080/callback',
      scope: 'openid',
    });
    const callback = await idp.loginHeadless(url.href, { username: 'bob', password: 'bob' });
    expect(new URL(callback).searchParams.get('error')).toBe('invalid_request');
  });
});

describe('device authorization grant (RFC 8628)', () => {
  test('approveDevice completes the user step and polling gets the tokens', async () => {
    const config = await configFor(idp, DEVICE_CLIENT_ID);
    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'openid offline_access api:read',
    });
    expect(device.verification_uri).toBe(`${idp.issuer}/device`);
    expect(device.interval).toBe(1);

    await idp.approveDevice(device.user_code, { username: 'bob', password: 'bob' });
    const tokens = await client.pollDeviceAuthorizationGrant(config, device);

    const { payload } = await verifyAccessToken(idp, tokens.access_token);
    expect(payload).toMatchObject({ sub: 'bob', client_id: DEVICE_CLIENT_ID, scope: 'api:read' });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  test('a wrong user code or a wrong password is refused', async () => {
    const config = await configFor(idp, DEVICE_CLIENT_ID);
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid api:read' });
    await expect(idp.approveDevice('BCDF-GHJK', { username: 'bob', password: 'bob' })).rejects.toMatchObject({
      code: 'USER_CODE_REFUSED',
    });
    await expect(
      idp.approveDevice(device.user_code, { username: 'bob', password: 'x' }),
    ).rejects.toMatchObject({
      code: 'LOGIN_REFUSED',
    });
  });
});
