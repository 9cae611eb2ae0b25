import { CLI_CLIENT_ID, type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, OidcAuthProvider } from '../src/index.js';

const EXTRA_AUDIENCE = 'urn:gatehouse:other-api';

// Against a real OpenID provider (oidc-provider, through the development IdP) on loopback: real
// discovery, real JWKS, real grants.
describe('OidcAuthProvider against a real OpenID provider', () => {
  let rs: DevIdp;
  let es: DevIdp;
  let ed: DevIdp;

  beforeAll(async () => {
    [rs, es, ed] = await Promise.all([
      startDevIdp({ extraAudiences: [EXTRA_AUDIENCE] }),
      startDevIdp({ signingAlg: 'ES256' }),
      startDevIdp({ signingAlg: 'EdDSA' }),
    ]);
  });
  afterAll(() => Promise.all([rs?.close(), es?.close(), ed?.close()]));

  const discover = (idp: DevIdp, clientId: string, secret?: string) =>
    client.discovery(new URL(idp.issuer), clientId, secret, secret ? undefined : client.None(), {
      execute: [client.allowInsecureRequests],
    });

  async function serviceToken(idp: DevIdp, parameters: Record<string, string> = {}): Promise<string> {
    const config = await discover(idp, idp.clients.service.clientId, idp.clients.service.clientSecret);
    return (await client.clientCredentialsGrant(config, { scope: 'api:read', ...parameters })).access_token;
  }

  it('validates a client-credentials token with a resource indicator', async () => {
    const provider = new OidcAuthProvider({ issuers: [{ issuer: rs.issuer, audience: EXTRA_AUDIENCE }] });
    const token = await serviceToken(rs, { resource: EXTRA_AUDIENCE });
    expect(await provider.validateToken(token)).toMatchObject({
      subject: rs.clients.service.clientId,
      audience: EXTRA_AUDIENCE,
      issuer: rs.issuer,
      scopes: ['api:read'],
      authType: 'oidc',
    });
    // The default-audience token of the same issuer is for another API.
    await expect(provider.validateToken(await serviceToken(rs))).rejects.toMatchObject({
      code: 'audience_mismatch',
    });
  });

  it('validates a user token from a PKCE login and grants admin by verified email', async () => {
    const { provider } = createGatehouse({
      env: false,
      oidc: { issuers: [{ issuer: rs.issuer, audience: rs.audience }] },
      admins: ['alice@example.com', 'mallory@example.com'],
    });
    const login = async (username: string) => {
      const config = await discover(rs, CLI_CLIENT_ID);
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: 'http://127.0.0.1:53117/callback',
        scope: 'openid email api:read',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const callback = await rs.loginHeadless(url.href, { username, password: username });
      const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      return provider.validateToken(tokens.access_token);
    };
    const alice = await login('alice');
    expect(alice).toMatchObject({
      email: 'alice@example.com',
      emailVerified: true,
      isAdmin: true,
      authType: 'oidc',
    });
    // mallory's email is listed, but unverified: no admin.
    const mallory = await login('mallory');
    expect(mallory).toMatchObject({ email: 'mallory@example.com', emailVerified: false, isAdmin: false });
  });

  it('verifies ES256 and EdDSA issuers, each with its own keys, side by side', async () => {
    const provider = new OidcAuthProvider({
      issuers: [
        { issuer: rs.issuer, audience: rs.audience },
        { issuer: es.issuer, audience: es.audience },
        { issuer: ed.issuer, audience: ed.audience },
      ],
    });
    for (const idp of [rs, es, ed]) {
      expect((await provider.validateToken(await serviceToken(idp))).issuer).toBe(idp.issuer);
    }
    // Issuer B's token claiming to come from issuer A.
    const forged = await es.signAccessToken({ iss: rs.issuer, aud: rs.audience, sub: 'intruder' });
    await expect(provider.validateToken(forged)).rejects.toMatchObject({ code: 'unknown_key' });
  });
});
