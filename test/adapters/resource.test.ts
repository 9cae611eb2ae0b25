/**
 * The contract's "Resource metadata and step-up" on every adapter, against the real OpenID provider
 * (oidc-provider through the dev IdP): the protected resource metadata served by `routes: true` (RFC
 * 9728), `resource_metadata` on every challenge from the configured public URL, tokens for the resource
 * from an issuer without `audience` (RFC 8707), the scopes of a 403, and step-up (RFC 9470).
 */
import { ACR_MFA, ACR_PASSWORD, type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFor, loginWithCode } from '../../apps/dev-idp/test/helpers.js';
import { type HttpAnswer, send } from './http.js';
import { STEP_UP, TARGETS } from './targets.js';

// The resource is named by its public URL, which is not where the test reaches the service: every URL
// the service hands out must come from configuration, never from the request.
const PUBLIC_URL = 'https://mcp.example.com';
const RESOURCE = 'http://127.0.0.1:9/mcp';
const METADATA_PATH = '/.well-known/oauth-protected-resource/mcp';
const METADATA_URL = `${PUBLIC_URL}${METADATA_PATH}`;
const KEY = 'resource-key-0123456789';
const spoofed = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

let idp: DevIdp;
const tokens = {} as Record<'password' | 'mfa' | 'oldLogin' | 'otherAudience' | 'service', string>;

async function userToken(extra: Record<string, string> = {}): Promise<string> {
  const config = await configFor(idp, idp.clients.cli.clientId);
  const login = await loginWithCode(idp, config, idp.users.alice, {
    scope: 'openid api:read',
    extra: { resource: RESOURCE, ...extra },
  });
  return login.tokens.access_token;
}

beforeAll(async () => {
  idp = await startDevIdp();
  tokens.password = await userToken();
  tokens.mfa = await userToken({ acr_values: ACR_MFA });
  // A second-factor login an hour ago, signed with the provider's own key.
  tokens.oldLogin = await idp.signAccessToken({
    aud: RESOURCE,
    sub: 'alice',
    acr: ACR_MFA,
    auth_time: Math.floor(Date.now() / 1000) - 3600,
    scope: 'api:read',
  });
  tokens.otherAudience = await idp.signAccessToken({ sub: 'alice', scope: 'api:read' });
  const service = await oidc.discovery(
    new URL(idp.issuer),
    idp.clients.service.clientId,
    idp.clients.service.clientSecret,
    undefined,
    { execute: [oidc.allowInsecureRequests] },
  );
  tokens.service = (
    await oidc.clientCredentialsGrant(service, { scope: 'api:read', resource: RESOURCE })
  ).access_token;
});
afterAll(() => idp?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The challenge of a refusal, checked to point to the metadata on each of its schemes. */
function expectMetadataChallenge(res: HttpAnswer, status: number): string {
  expect(res.status, res.body).toBe(status);
  const challenge = String(res.headers['www-authenticate']);
  expect(challenge).toMatch(/^Bearer realm="conformance"/);
  for (const scheme of challenge.split(/, (?=Bearer |DPoP )/)) {
    expect(scheme).toContain(`resource_metadata="${METADATA_URL}"`);
  }
  expect(challenge).not.toContain('evil.example');
  return challenge;
}

it('gets tokens for the resource from the dev IdP, with the login class in acr', () => {
  expect(decodeJwt(tokens.password)).toMatchObject({ aud: RESOURCE, acr: ACR_PASSWORD });
  expect(decodeJwt(tokens.mfa)).toMatchObject({ aud: RESOURCE, acr: ACR_MFA });
  expect(decodeJwt(tokens.mfa).auth_time).toEqual(expect.any(Number));
});

describe.each(TARGETS)('$name as a protected resource', (target) => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ url, close } = await target.start({
      resource: {
        resource: RESOURCE,
        scopesSupported: ['api:read', 'api:write'],
        resourceName: 'Conformance',
      },
      publicUrl: PUBLIC_URL,
      // No audience: the resource's identifier is (RFC 8707).
      oidc: { issuers: [{ issuer: idp.issuer }] },
      apiKeys: [{ name: 'svc', key: KEY }],
      routes: true,
    }));
  });
  afterAll(() => close?.());

  it('serves the metadata publicly at the path-inserted and the root well-known paths', async () => {
    for (const path of [METADATA_PATH, '/.well-known/oauth-protected-resource']) {
      const res = await send(`${url}${path}`, { headers: spoofed });
      expect(res.status, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
      expect(res.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: [idp.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: ['api:read', 'api:write'],
        resource_name: 'Conformance',
        dpop_signing_alg_values_supported: expect.arrayContaining(['ES256']),
      });
    }
    const post = await send(`${url}${METADATA_PATH}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('lets browser-based clients on any origin read it, after their CORS preflight', async () => {
    const origin = { origin: 'http://localhost:6274' };
    const preflight = await send(`${url}${METADATA_PATH}`, {
      method: 'OPTIONS',
      headers: {
        ...origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'mcp-protocol-version',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toBe('*');
    const read = await send(`${url}${METADATA_PATH}`, { headers: origin });
    expect(read.headers['access-control-allow-origin']).toBe('*');
  });

  it('points every 401 to the metadata, on the Bearer and the DPoP challenge, whatever Host says', async () => {
    const none = await send(`${url}/v1/whoami`, { headers: spoofed });
    expect(expectMetadataChallenge(none, 401)).toContain('DPoP algs=');
    const bad = await send(`${url}/v1/whoami`, { headers: { ...spoofed, ...bearer('not-a-known-key') } });
    expect(expectMetadataChallenge(bad, 401)).toContain('error="invalid_token"');
    const metrics = await send(`${url}/metrics`, { headers: spoofed });
    expectMetadataChallenge(metrics, 401);
  });

  it('accepts tokens for the resource from an issuer configured without audience, and no others', async () => {
    for (const token of [tokens.password, tokens.service]) {
      const res = await send(`${url}/v1/whoami`, { headers: bearer(token) });
      expect(res.status, res.body).toBe(200);
      expect(res.json()).toMatchObject({ issuer: idp.issuer, authType: 'oidc' });
    }
    const other = await send(`${url}/v1/whoami`, { headers: bearer(tokens.otherAudience) });
    expect(expectMetadataChallenge(other, 401)).toContain('error="invalid_token"');
  });

  it('names the scopes that would satisfy the route on a 403', async () => {
    const res = await send(`${url}/v1/scoped`, { headers: bearer(tokens.password) });
    const challenge = expectMetadataChallenge(res, 403);
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="api:write"');
  });

  it('asks a password-only login to step up, with acr_values and max_age (RFC 9470)', async () => {
    const res = await send(`${url}/v1/step-up`, { headers: bearer(tokens.password) });
    const challenge = expectMetadataChallenge(res, 401);
    expect(challenge).toContain('error="insufficient_user_authentication"');
    expect(challenge).toContain(`acr_values="${STEP_UP.acr.join(' ')}"`);
    expect(challenge).toContain(`max_age="${STEP_UP.maxAge}"`);
    expect(res.json()).toMatchObject({ error: 'insufficient_user_authentication' });
    // A bearer credential with no login behind it (an API key, a service token) cannot step up either.
    for (const credential of [KEY, tokens.service]) {
      const refused = await send(`${url}/v1/step-up`, { headers: bearer(credential) });
      expect(refused.status).toBe(401);
      expect(refused.json()).toMatchObject({ error: 'insufficient_user_authentication' });
    }
  });

  it('lets a recent second-factor login in, and asks an old one for max_age', async () => {
    const stepped = await send(`${url}/v1/step-up`, { headers: bearer(tokens.mfa) });
    expect(stepped.status, stepped.body).toBe(200);
    expect(stepped.json()).toEqual({ steppedUp: true });
    const old = await send(`${url}/v1/step-up`, { headers: bearer(tokens.oldLogin) });
    expect(expectMetadataChallenge(old, 401)).toContain(
      'error_description="a more recent authentication is required"',
    );
  });
});

describe.each(TARGETS)('$name with a resource at an origin, DPoP required and certificates', (target) => {
  it('serves the root document only, with the DPoP and certificate facts, and challenges name its URL', async () => {
    const resource = 'http://127.0.0.1:9';
    const { url, close } = await target.start({
      resource,
      clientCertificateHeader: 'x-client-cert',
      oidc: { issuers: [{ issuer: idp.issuer, audience: idp.audience, dpop: 'required' }] },
      routes: true,
    });
    try {
      const res = await send(`${url}/.well-known/oauth-protected-resource`);
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({
        resource,
        authorization_servers: [idp.issuer],
        dpop_bound_access_tokens_required: true,
        tls_client_certificate_bound_access_tokens: true,
      });
      expect([401, 404]).toContain((await send(`${url}${METADATA_PATH}`)).status);
      // No public URL configured: the URL clients compute from the resource identifier (RFC 9728 §3.1).
      const none = await send(`${url}/v1/whoami`, { headers: spoofed });
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toContain(
        `resource_metadata="${resource}/.well-known/oauth-protected-resource"`,
      );
    } finally {
      await close();
    }
  });

  it('refuses an issuer without audience when no resource is configured, naming the field', async () => {
    await expect(target.start({ oidc: { issuers: [{ issuer: idp.issuer }] } })).rejects.toThrow(
      /"oidc\.issuers\[0\]\.audience" is required, unless a resource is configured/,
    );
  });
});
