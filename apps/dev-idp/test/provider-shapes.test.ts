import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterEach, describe, expect, test } from 'vitest';
import {
  CLI_CLIENT_ID,
  type DevIdp,
  type DevIdpOptions,
  PROVIDER_SHAPES,
  SERVICE_CLIENT_ID,
  SERVICE_CLIENT_SECRET,
  startDevIdp,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
} from '../src/index.js';
import { configFor, loginWithCode, oauthError, verifyAccessToken } from './helpers.js';

const API = 'https://api.example.com';
const ALICE = { username: 'alice', password: 'alice' };
let idp: DevIdp | undefined;
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});
const start = async (options: DevIdpOptions) => {
  idp = await startDevIdp(options);
  return idp;
};
const isJwt = (token: string) => token.split('.').length === 3;

describe('issuerPath: every endpoint under the issuer, as at Okta, Keycloak, Entra and Auth0', () => {
  test.each([
    ['okta', PROVIDER_SHAPES.okta.issuerPath],
    ['keycloak', PROVIDER_SHAPES.keycloak.issuerPath],
    ['entra', PROVIDER_SHAPES.entra.issuerPath],
  ])('%s: discovery at <issuer>/.well-known, tokens carry the issuer with its path', async (_name, path) => {
    const { issuer } = await start({ issuerPath: path });
    expect(new URL(issuer).pathname).toBe(path);
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.token_endpoint).toBe(`${issuer}/token`);
    expect(metadata.jwks_uri).toBe(`${issuer}/jwks`);
    expect((await fetch(`${new URL(issuer).origin}/.well-known/openid-configuration`)).status).toBe(404);

    const config = await configFor(idp!, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(idp!, config, ALICE);
    expect(decodeJwt(tokens.access_token).iss).toBe(issuer);
    expect(tokens.claims()?.iss).toBe(issuer);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await verifyAccessToken(idp!, refreshed.access_token)).payload.sub).toBe('alice');
  });

  test("'/' is an issuer with a trailing slash (Auth0): no double slashes in the endpoints", async () => {
    const { issuer } = await start({ issuerPath: '/' });
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const metadata = (await (await fetch(`${issuer}.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.token_endpoint).toBe(`${issuer}token`);
    const config = await configFor(idp!, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read' });
    expect(decodeJwt(tokens.access_token).iss).toBe(issuer);
  });

  test('a bad issuerPath names the option', async () => {
    await expect(startDevIdp({ issuerPath: 'oauth2' })).rejects.toThrow('"issuerPath"');
    await expect(startDevIdp({ issuerPath: '/a/../b' })).rejects.toThrow('"issuerPath"');
  });
});

describe('audience conventions', () => {
  test('auth0: `audience` selects the API (a JWT for it); without it the access token is opaque', async () => {
    await start({ ...PROVIDER_SHAPES.auth0, extraAudiences: [API] });
    const config = await configFor(idp!, CLI_CLIENT_ID);
    const withAudience = await loginWithCode(idp!, config, ALICE, { extra: { audience: API } });
    expect((await verifyAccessToken(idp!, withAudience.tokens.access_token, API)).payload.aud).toBe(API);

    const withResource = await loginWithCode(idp!, config, ALICE, { extra: { resource: API } });
    expect(isJwt(withResource.tokens.access_token)).toBe(false); // `resource` means nothing to Auth0
    const plain = await loginWithCode(idp!, config, ALICE);
    expect(isJwt(plain.tokens.access_token)).toBe(false);
  });

  test('auth0: client credentials send `audience` in the form', async () => {
    await start({ ...PROVIDER_SHAPES.auth0, extraAudiences: [API] });
    const config = await configFor(idp!, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
    const tokens = await client.clientCredentialsGrant(config, { audience: API, scope: 'api:read' });
    expect((await verifyAccessToken(idp!, tokens.access_token, API)).payload).toMatchObject({
      aud: API,
      scope: 'api:read',
    });
  });

  test('entra: `<audience>/.default` in scope selects the API; `resource` is refused', async () => {
    await start({ ...PROVIDER_SHAPES.entra, extraAudiences: [API] });
    const config = await configFor(idp!, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(idp!, config, ALICE, {
      scope: `openid offline_access ${API}/.default`,
    });
    expect((await verifyAccessToken(idp!, tokens.access_token, API)).payload.aud).toBe(API);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, {
      scope: `openid offline_access ${API}/.default`,
    });
    expect(decodeJwt(refreshed.access_token).aud).toBe(API);

    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:9/callback',
      scope: 'openid',
      resource: API,
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('resource');
    const service = await configFor(idp!, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
    expect(await oauthError(client.clientCredentialsGrant(service, { resource: API }))).toBe(
      'invalid_request',
    );
  });

  test('google: access_type=offline gives a refresh token, the offline_access scope is refused, access tokens are opaque', async () => {
    await start({ ...PROVIDER_SHAPES.google });
    const config = await configFor(idp!, CLI_CLIENT_ID);
    const { tokens } = await loginWithCode(idp!, config, ALICE, {
      scope: 'openid email',
      extra: { access_type: 'offline', prompt: 'consent', resource: API },
    });
    expect(tokens.refresh_token).toBeTruthy();
    expect(isJwt(tokens.access_token)).toBe(false);
    expect(tokens.claims()).toMatchObject({ aud: CLI_CLIENT_ID, email: 'alice@example.com' });

    const refused = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:9/callback',
      scope: 'openid offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const res = await fetch(refused);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('invalid_scope');
  });

  test('idTokenTtlSecs sets the ID token lifetime', async () => {
    await start({ idTokenTtlSecs: 30 });
    const { tokens } = await loginWithCode(idp!, await configFor(idp!, CLI_CLIENT_ID), ALICE);
    const claims = tokens.claims()!;
    expect(claims.exp - claims.iat).toBe(30);
  });
});

describe('password grant (tests of legacy-provider support only)', () => {
  const passwordGrant = (config: client.Configuration, params: Record<string, string>) =>
    client.genericGrantRequest(config, 'password', params);

  test('is off by default', async () => {
    await start({});
    const config = await configFor(idp!, CLI_CLIENT_ID);
    const error = await oauthError(passwordGrant(config, { username: 'alice', password: 'alice' }));
    expect(['unsupported_grant_type', 'unauthorized_client']).toContain(error);
  });

  test('passwordGrant: tokens like a login (JWT access token, refresh, ID token), refreshed by the refresh grant', async () => {
    await start({ passwordGrant: true });
    const config = await configFor(idp!, CLI_CLIENT_ID);
    const tokens = await passwordGrant(config, {
      username: 'alice',
      password: 'alice',
      scope: 'openid email offline_access api:read',
    });
    const { payload } = await verifyAccessToken(idp!, tokens.access_token);
    expect(payload).toMatchObject({ sub: 'alice', scope: 'api:read', client_id: CLI_CLIENT_ID });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: CLI_CLIENT_ID, email: 'alice@example.com' });
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await verifyAccessToken(idp!, refreshed.access_token)).payload.sub).toBe('alice');
    expect(refreshed.id_token).toBeTruthy();
  });

  test('a wrong password or unknown user is invalid_grant; a confidential client authenticates', async () => {
    await start({ passwordGrant: true });
    const cli = await configFor(idp!, CLI_CLIENT_ID);
    expect(await oauthError(passwordGrant(cli, { username: 'alice', password: 'bob' }))).toBe(
      'invalid_grant',
    );
    expect(await oauthError(passwordGrant(cli, { username: 'eve', password: 'eve' }))).toBe('invalid_grant');
    const web = await configFor(idp!, WEB_CLIENT_ID, WEB_CLIENT_SECRET);
    const tokens = await passwordGrant(web, { username: 'bob', password: 'bob', scope: 'openid' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'bob', client_id: WEB_CLIENT_ID });
    const wrongSecret = await configFor(idp!, WEB_CLIENT_ID, 'not-the-secret');
    expect(await oauthError(passwordGrant(wrongSecret, { username: 'bob', password: 'bob' }))).toBe(
      'invalid_client',
    );
  });

  test('a custom client may list the password grant without the option', async () => {
    await start({
      clients: [
        {
          client_id: 'legacy-cli',
          token_endpoint_auth_method: 'none',
          grant_types: ['password', 'refresh_token'],
          response_types: [],
          redirect_uris: [],
        },
      ],
    });
    const config = await configFor(idp!, 'legacy-cli');
    const tokens = await passwordGrant(config, {
      username: 'alice',
      password: 'alice',
      scope: 'offline_access',
    });
    expect(decodeJwt(tokens.access_token).sub).toBe('alice');
    expect(tokens.refresh_token).toBeTruthy();
    // oidc-provider answers invalid_request ("requested grant type is not allowed for this client").
    const cli = await configFor(idp!, CLI_CLIENT_ID);
    expect(await oauthError(passwordGrant(cli, { username: 'alice', password: 'alice' }))).toBe(
      'invalid_request',
    );
  });
});
