import { PROVIDER_SHAPES } from '@gatehouse/dev-idp';
import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOidcClient,
  detectPreset,
  loginWithAuthorizationCode,
  type OidcClientOptions,
  refreshAccessToken,
} from '../src/index.js';

const API = 'https://api.example.com';

describe('detectPreset', () => {
  it.each([
    ['https://accounts.google.com', 'google'],
    ['https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0', 'entra'],
    ['https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/', 'entra'],
    ['https://acme.okta.com/oauth2/default', 'okta'],
    ['https://acme.oktapreview.com', 'okta'],
    ['https://acme.eu.auth0.com/', 'auth0'],
    ['https://sso.example.com/realms/acme', 'keycloak'],
    ['https://idp.example.com', 'generic'],
    ['https://auth0.com.evil.example', 'generic'],
  ])('%s → %s', (issuer, preset) => {
    expect(detectPreset(issuer)).toBe(preset);
    expect(createOidcClient({ issuer, clientId: 'c' }).preset).toBe(preset);
  });
});

describe('the request parameters of each preset', () => {
  const params = (options: Partial<OidcClientOptions>) =>
    createOidcClient({ issuer: 'https://idp.example.com', clientId: 'c', ...options });

  it('generic: RFC 8707 resource, offline_access with prompt=consent', () => {
    const c = params({ audience: API, scope: 'openid offline_access' });
    expect(c.tokenParameters()).toEqual({ scope: 'openid offline_access', resource: API });
    expect(c.offlineParameters('openid offline_access')).toEqual({ prompt: 'consent' });
    expect(c.refreshParameters()).toEqual({ resource: API });
  });

  it('auth0: the audience parameter, and no forced consent screen', () => {
    const c = params({ preset: 'auth0', audience: API, scope: 'openid offline_access' });
    expect(c.tokenParameters()).toEqual({ scope: 'openid offline_access', audience: API });
    expect(c.offlineParameters('openid offline_access')).toEqual({});
  });

  it('entra: <audience>/.default in scope, never resource; the scope again on refresh', () => {
    const c = params({ preset: 'entra', audience: `${API}/`, scope: 'openid profile offline_access' });
    expect(c.tokenParameters()).toEqual({ scope: `openid profile offline_access ${API}/.default` });
    expect(c.refreshParameters()).toEqual({ scope: `openid profile offline_access ${API}/.default` });
    expect(c.offlineParameters('openid offline_access')).toEqual({});
    const already = params({ preset: 'entra', audience: 'api://reports/.default' });
    expect(already.tokenParameters()).toEqual({ scope: 'api://reports/.default' });
  });

  it('google: no audience parameter; access_type=offline and prompt=consent instead of offline_access', () => {
    const c = params({ preset: 'google', audience: API, scope: 'openid email offline_access' });
    expect(c.tokenParameters()).toEqual({ scope: 'openid email' });
    expect(c.offlineParameters('openid email offline_access')).toEqual({
      access_type: 'offline',
      prompt: 'consent',
    });
  });

  it('an explicit audienceParameter wins over the preset; a bad preset names the option', () => {
    expect(
      params({ preset: 'auth0', audience: API, audienceParameter: 'resource' }).tokenParameters(),
    ).toEqual({
      resource: API,
    });
    expect(() => params({ preset: 'ping' as never })).toThrow(/"preset" must be one of/);
  });
});

describe('logging in against the dev IdP shaped like each provider', () => {
  let issuer: TestIssuer | undefined;
  afterEach(async () => {
    await issuer?.close();
    issuer = undefined;
  });
  const login = async (options: Partial<OidcClientOptions>) => {
    const idp = issuer!.idp;
    const client = createOidcClient({ issuer: idp.issuer, clientId: idp.clients.cli.clientId, ...options });
    const tokens = await loginWithAuthorizationCode(client, {
      port: 0,
      openBrowser: async (url) => {
        await idp.loginHeadless(url, { username: 'alice', password: 'alice' }, { deliver: true });
      },
    });
    return { client, tokens };
  };

  it('entra (issuer /<tenant>/v2.0): the API by its .default scope, refreshed with the scope', async () => {
    issuer = await startTestIssuer({ ...PROVIDER_SHAPES.entra, extraAudiences: [API] });
    const { client, tokens } = await login({
      preset: 'entra',
      audience: API,
      scope: 'openid offline_access',
    });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ aud: API, iss: issuer.idp.issuer, sub: 'alice' });
    const refreshed = await refreshAccessToken(client, tokens.refreshToken!);
    expect(decodeJwt(refreshed.accessToken).aud).toBe(API);
  });

  it('auth0 (issuer with a trailing slash): the API by the audience parameter', async () => {
    issuer = await startTestIssuer({ ...PROVIDER_SHAPES.auth0, extraAudiences: [API] });
    const { tokens } = await login({ preset: 'auth0', audience: API, scope: 'openid offline_access' });
    expect(issuer.idp.issuer.endsWith('/')).toBe(true);
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ aud: API, iss: issuer.idp.issuer });
    expect(tokens.refreshToken).toBeTruthy();
    // Sent the generic way (resource), Auth0 ignores the audience and the access token is opaque.
    const generic = await login({ preset: 'generic', audience: API, scope: 'openid' });
    expect(generic.tokens.accessToken.split('.')).toHaveLength(1);
  });

  it('okta (issuer /oauth2/default) and keycloak (issuer /realms/<realm>): discovery under the path', async () => {
    for (const shape of [PROVIDER_SHAPES.okta, PROVIDER_SHAPES.keycloak]) {
      issuer = await startTestIssuer({ ...shape });
      const { tokens } = await login({ scope: 'openid offline_access api:read' });
      expect(decodeJwt(tokens.accessToken).iss).toBe(issuer.idp.issuer);
      expect(new URL(issuer.idp.issuer).pathname).toBe(shape.issuerPath);
      await issuer.close();
      issuer = undefined;
    }
  });

  it('google: a refresh token through access_type=offline, and an ID token for the client id', async () => {
    issuer = await startTestIssuer({ ...PROVIDER_SHAPES.google });
    const { tokens } = await login({ preset: 'google', scope: 'openid email offline_access' });
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.accessToken.split('.')).toHaveLength(1); // opaque
    expect(decodeJwt(tokens.idToken!)).toMatchObject({ aud: 'gatehouse-cli', email: 'alice@example.com' });
  });
});
