import { X509Certificate } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviders } from './fixtures/index.js';

// The fixtures are only worth something if they look like the providers: these tests pin the shapes
// that the provider suites rely on.
let providers: Awaited<ReturnType<typeof startProviders>>;
beforeAll(async () => {
  providers = await startProviders();
});
afterAll(() => providers?.close());

// biome-ignore lint/suspicious/noExplicitAny: the tests read the providers' JSON documents as they come
const json = async (url: string) => (await fetch(url)).json() as Promise<Record<string, any>>;

describe('provider fixtures', () => {
  it('Google: issuer without trailing slash, keys on another host, alg on every key', async () => {
    const { google } = providers;
    const doc = await json(`${google.issuer}/.well-known/openid-configuration`);
    expect(doc.issuer).toBe(google.issuer);
    expect(new URL(doc.jwks_uri).hostname).toBe('localhost');
    const { keys } = await json(doc.jwks_uri);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(decodeJwt(await google.userIdToken())).toMatchObject({
      aud: expect.stringMatching(/apps\.googleusercontent\.com$/),
    });
  });

  it('Entra: a {tenantid} issuer under common, keys with issuer and x5c but no alg', async () => {
    const { entra } = providers;
    const origin = entra.server.origin();
    const doc = await json(`${origin}/common/v2.0/.well-known/openid-configuration`);
    expect(doc.issuer).toBe(`${origin}/{tenantid}/v2.0`);
    expect(doc.tenant_region_scope).toBeNull();
    const { keys } = await json(doc.jwks_uri);
    expect(
      keys.every((k: Record<string, unknown>) => k.alg === undefined && typeof k.issuer === 'string'),
    ).toBe(true);
    expect(keys.filter((k: Record<string, unknown>) => String(k.issuer).includes('{tenantid}'))).toHaveLength(
      2,
    );
    // The x5c certificate really holds the published key.
    for (const key of keys) {
      const cert = new X509Certificate(Buffer.from(key.x5c[0], 'base64'));
      expect(cert.publicKey.export({ format: 'jwk' }).n).toBe(key.n);
      expect(key.kid).toBe(key.x5t);
    }
    const v1 = await json(`${origin}/common/.well-known/openid-configuration`);
    expect(new URL(v1.issuer.replace('{tenantid}', 't')).hostname).toBe('localhost');
    expect((await json(v1.jwks_uri)).keys.every((k: Record<string, unknown>) => k.issuer === undefined)).toBe(
      true,
    );
    expect(decodeProtectedHeader(await entra.graphToken())).toHaveProperty('nonce');
    expect(decodeProtectedHeader(await entra.v1UserToken())).toHaveProperty('x5t');
  });

  it('Okta: each authorization server has its own issuer and keys', async () => {
    const { okta } = providers;
    const a = await json(`${okta.issuer()}/.well-known/openid-configuration`);
    const b = await json(`${okta.issuer('other')}/.well-known/oauth-authorization-server`);
    expect(a.issuer).toBe(okta.issuer());
    expect(b.issuer).toBe(okta.issuer('other'));
    const [ka, kb] = await Promise.all([json(a.jwks_uri), json(b.jwks_uri)]);
    expect(ka.keys[0].kid).not.toBe(kb.keys[0].kid);
    const org = await json(`${okta.issuer('org')}/.well-known/openid-configuration`);
    expect(org.jwks_uri).toBe(`${okta.issuer('org')}/oauth2/v1/keys`);
    expect(decodeJwt(await okta.accessToken())).toMatchObject({
      ver: 1,
      jti: expect.stringMatching(/^AT\./),
    });
  });

  it('Auth0: the discovery document names the domain it was asked under, with a trailing slash', async () => {
    const { auth0 } = providers;
    const custom = await json(`${auth0.customDomainIssuer}.well-known/openid-configuration`);
    const canonical = await json(`${auth0.canonicalIssuer}.well-known/openid-configuration`);
    expect(custom.issuer).toBe(auth0.customDomainIssuer);
    expect(canonical.issuer).toBe(auth0.canonicalIssuer);
    expect((await json(custom.jwks_uri)).keys).toEqual((await json(canonical.jwks_uri)).keys);
  });

  it('Keycloak: certs list an encryption key before the signing key', async () => {
    const { keycloak } = providers;
    const doc = await json(`${keycloak.issuer}/.well-known/openid-configuration`);
    const { keys } = await json(doc.jwks_uri);
    expect(keys.map((k: Record<string, string>) => `${k.use}:${k.alg}`)).toEqual([
      'enc:RSA-OAEP',
      'sig:RS256',
    ]);
    expect(decodeJwt(await keycloak.userToken())).toMatchObject({
      typ: 'Bearer',
      realm_access: { roles: expect.any(Array) },
    });
  });
});
