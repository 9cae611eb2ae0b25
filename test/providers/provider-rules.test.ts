import { ConfigError, OidcAuthProvider, type OidcProviderOptions, resolveConfig } from '@gatehouse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTRA_API_CLIENT_ID, ENTRA_API_ID_URI, ENTRA_TENANT } from './fixtures/entra.js';
import { GOOGLE_CLIENT_ID, GOOGLE_SERVICE_AUDIENCE } from './fixtures/google.js';
import { startProviders } from './fixtures/index.js';

// The provider rules seen from core: the refusals' structured fields, which keys are fetched, and the
// configurations that must not start.
const providers = await startProviders();
afterAll(() => providers.close());

const fromEnv = (issuers: unknown[]) =>
  new OidcAuthProvider(
    resolveConfig({ env: { GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers }) } })
      .oidc as OidcProviderOptions,
  );

function configError(issuers: unknown[]): ConfigError {
  try {
    resolveConfig({ env: { GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers }) } });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('every provider, one service', () => {
  const all = fromEnv(providers.all.flatMap((p) => p.issuers));

  it('refuses each mistake with a stable code and the reason in fields', async () => {
    const { entra, okta, keycloak, google } = providers;
    await expect(all.validateToken(await entra.graphToken())).rejects.toMatchObject({
      code: 'audience_mismatch',
      reason: 'microsoft_graph',
    });
    await expect(
      all.validateToken(await entra.v2UserToken({ tid: '3f1a9c2e-7b4d-4a8e-9f6c-2d5e8b1a4c7f' })),
    ).rejects.toMatchObject({
      code: 'invalid_token',
      reason: 'tenant',
      claim: 'tid',
    });
    await expect(all.validateToken(await entra.v2UserToken({}, entra.keys.consumer))).rejects.toMatchObject({
      reason: 'key_issuer',
    });
    await expect(all.validateToken(await entra.v2IdToken())).rejects.toMatchObject({ reason: 'token_type' });
    await expect(all.validateToken(await okta.accessToken('org'))).rejects.toMatchObject({
      reason: 'token_type',
    });
    await expect(all.validateToken(await okta.accessToken('other'))).rejects.toMatchObject({
      code: 'unknown_issuer',
    });
    await expect(all.validateToken(await keycloak.idToken())).rejects.toMatchObject({
      reason: 'token_type',
      claim: 'typ',
    });
    await expect(
      all.validateToken(await google.userIdToken({ aud: [GOOGLE_CLIENT_ID, 'x'], azp: 'x' })),
    ).rejects.toMatchObject({
      claim: 'azp',
    });
  });

  it('reads roles where each provider puts them', async () => {
    const { entra, keycloak } = providers;
    expect((await all.validateToken(await entra.v2AppToken())).roles).toEqual(['Telemetry.Write']);
    expect((await all.validateToken(await keycloak.userToken())).roles).toContain('telemetry-admin');
    expect((await all.validateToken(await providers.auth0.userToken())).roles).toEqual([]);
  });

  it('verifies a new token synchronously once its issuer keys are in memory, through aliases and tenants', async () => {
    await all.warmUp();
    const { entra, google, auth0 } = providers;
    for (const token of [
      await entra.v1UserToken(),
      await google.userIdToken({ iss: google.bareIssuer }),
      await auth0.serviceToken(),
    ]) {
      const answer = all.resolve(token);
      expect(answer).not.toBeInstanceOf(Promise);
    }
  });
});

describe('signatures of other JWTs (back-channel logout tokens)', () => {
  const all = fromEnv(providers.all.flatMap((p) => p.issuers));

  it('reports the configured issuer for an alias, so that a logout revokes what auth.issuer names', async () => {
    const { auth0, entra } = providers;
    const viaCanonical = await auth0.userToken({ iss: auth0.canonicalIssuer });
    expect((await all.verifySignature(viaCanonical)).issuer).toBe(auth0.customDomainIssuer);
    expect((await all.verifySignature(await entra.v1UserToken())).issuer).toBe(entra.v2Issuer());
  });

  it('refuses a key of another tenant and a tenant that is not trusted', async () => {
    const { entra } = providers;
    await expect(all.verifySignature(await entra.v2UserToken({}, entra.keys.consumer))).rejects.toMatchObject(
      {
        reason: 'key_issuer',
      },
    );
    await expect(
      all.verifySignature(await entra.v2UserToken({ tid: '3f1a9c2e-7b4d-4a8e-9f6c-2d5e8b1a4c7f' })),
    ).rejects.toMatchObject({ reason: 'tenant' });
  });
});

describe('keys', () => {
  it("fetches one key set for an issuer and its aliases (Auth0's two domains)", async () => {
    const { auth0 } = providers;
    const provider = fromEnv(auth0.issuers);
    await provider.validateToken(await auth0.userToken());
    await provider.validateToken(await auth0.serviceToken());
    expect((await provider.validateToken(await auth0.serviceToken())).issuer).toBe(auth0.customDomainIssuer);
    // Only the custom domain's discovery document was read (the aliases are never fetched).
    expect(provider.issuerNames).toEqual([auth0.customDomainIssuer]);
  });

  it('finds an Entra v1 issuer through discovery_url, and a single tenant without a template', async () => {
    const { entra } = providers;
    const origin = entra.server.origin();
    const v1 = fromEnv([
      {
        preset: 'entra',
        issuer: `${entra.server.origin('localhost')}/{tenantid}/`,
        discovery_url: `${origin}/common/.well-known/openid-configuration`,
        tenants: [ENTRA_TENANT],
        audience: ENTRA_API_ID_URI,
      },
    ]);
    const auth = await v1.validateToken(await entra.v1UserToken());
    expect(auth).toMatchObject({
      issuer: entra.v1Issuer(),
      scopes: ['Telemetry.Read'],
      audience: ENTRA_API_ID_URI,
    });
    const single = fromEnv([{ preset: 'entra', issuer: entra.v2Issuer(), audience: ENTRA_API_CLIENT_ID }]);
    expect((await single.validateToken(await entra.v2UserToken())).issuer).toBe(entra.v2Issuer());
    expect(entra.server.hits.get(`/${ENTRA_TENANT}/v2.0/.well-known/openid-configuration`)).toBeGreaterThan(
      0,
    );
  });
});

describe('the same issuer listed twice', () => {
  it('chooses the entry by audience: Google users with a domain rule, service accounts by id', async () => {
    const { google } = providers;
    const provider = fromEnv([
      {
        preset: 'google',
        issuer: google.issuer,
        audience: GOOGLE_CLIENT_ID,
        required_claims: { hd: 'example.com' },
      },
      {
        preset: 'google',
        issuer: google.issuer,
        audience: GOOGLE_SERVICE_AUDIENCE,
        clients: [google.serviceAccountId],
      },
    ]);
    expect((await provider.validateToken(await google.userIdToken())).audience).toBe(GOOGLE_CLIENT_ID);
    expect((await provider.validateToken(await google.serviceAccountIdToken())).audience).toBe(
      GOOGLE_SERVICE_AUDIENCE,
    );
    await expect(provider.validateToken(await google.userIdToken({ hd: undefined }))).rejects.toMatchObject({
      reason: 'claim',
      claim: 'hd',
    });
    await expect(
      provider.validateToken(await google.serviceAccountIdToken({ azp: '999', sub: '999' })),
    ).rejects.toMatchObject({ reason: 'client', claim: 'azp' });
  });
});

describe('configurations that must not start', () => {
  it.each([
    [
      'a {tenantid} issuer without tenants',
      [{ preset: 'entra', issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', audience: 'a' }],
      'GATEHOUSE_OIDC_CONFIG: "issuers[0].tenants" is required when the issuer holds {tenantid}',
    ],
    [
      'a Graph audience',
      [
        {
          preset: 'entra',
          issuer: `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`,
          audience: 'https://graph.microsoft.com',
        },
      ],
      '"issuers[0].audience" is Microsoft Graph\'s',
    ],
    [
      "Okta's org server for access tokens",
      [{ preset: 'okta', issuer: 'https://dev-123456.okta.com', audience: 'api://default' }],
      '"issuers[0].issuer" is Okta\'s org authorization server',
    ],
    [
      'an Auth0 issuer without its slash',
      [{ preset: 'auth0', issuer: 'https://dev-gatehouse.eu.auth0.com', audience: 'https://api' }],
      '"issuers[0].issuer" must end with "/"',
    ],
    [
      'an unknown per-issuer field',
      [{ issuer: 'https://idp.example.com', audience: 'a', tenant_ids: ['x'] }],
      '"issuers[0].tenant_ids" is not a known field',
    ],
    [
      'camelCase in the environment',
      [{ issuer: 'https://idp.example.com', audience: 'a', tokenType: 'id_token' }],
      '"issuers[0].tokenType" is not a known field',
    ],
    [
      'an alias claimed by an issuer with other keys',
      [
        { issuer: 'https://a.example.com', audience: 'a' },
        { issuer: 'https://b.example.com', audience: 'b', aliases: ['https://a.example.com'] },
      ],
      '"issuers[1].aliases[0]" names an issuer of issuers[0] with another key source',
    ],
    [
      'the same issuer twice with one audience',
      [
        { issuer: 'https://a.example.com', audience: ['a', 'b'] },
        { issuer: 'https://a.example.com', audience: 'b', clients: ['c'] },
      ],
      '"issuers[1].audience" repeats an audience of issuers[0]',
    ],
  ])('%s', (_name, issuers, message) => {
    expect(configError(issuers).message).toContain(message);
  });
});
