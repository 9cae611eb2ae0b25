import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DevIdp, startDevIdp } from '../src/index.js';
import { verifyAccessToken } from './helpers.js';

const ALICE = { username: 'alice', password: 'alice' };
const MCP_RESOURCE = 'http://127.0.0.1:45871/mcp';

let idp: DevIdp;
beforeAll(async () => {
  idp = await startDevIdp();
});
afterAll(() => idp.close());

async function register(metadata: Record<string, unknown>): Promise<Response> {
  return fetch(`${idp.issuer}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
}

/** What an MCP client sends (RFC 7591): a public client with a loopback redirect URI. */
const PUBLIC_CLIENT = {
  client_name: 'an MCP client',
  redirect_uris: ['http://127.0.0.1:45999/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

describe('dynamic client registration (RFC 7591)', () => {
  test('discovery advertises the registration endpoint', async () => {
    const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(doc.registration_endpoint).toBe(`${idp.issuer}/reg`);
  });

  test('a public client with a loopback redirect URI registers and logs a user in for a loopback resource', async () => {
    const response = await register(PUBLIC_CLIENT);
    expect(response.status).toBe(201);
    const registered = (await response.json()) as Record<string, unknown>;
    expect(registered).toMatchObject({
      client_id: expect.stringMatching(/^dcr-/),
      redirect_uris: PUBLIC_CLIENT.redirect_uris,
      token_endpoint_auth_method: 'none',
    });
    expect(registered).not.toHaveProperty('client_secret');
    expect(registered).not.toHaveProperty('registration_access_token');

    const config = await client.discovery(
      new URL(idp.issuer),
      String(registered.client_id),
      undefined,
      client.None(),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      // RFC 8252 §7.3: any port on the registered loopback redirect URI.
      redirect_uri: 'http://127.0.0.1:46001/callback',
      scope: 'api:read',
      resource: MCP_RESOURCE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    // A registered client is a third party: the headless walk passes the consent page too.
    const callback = await idp.loginHeadless(url.href, ALICE);
    const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
    });
    const { payload } = await verifyAccessToken(idp, tokens.access_token, MCP_RESOURCE);
    expect(payload).toMatchObject({ aud: MCP_RESOURCE, sub: 'alice', scope: 'api:read' });
  });

  test("the resource's scopes in the metadata (as MCP clients send them) register, and stay requestable", async () => {
    const response = await register({ ...PUBLIC_CLIENT, scope: 'openid api:read api:write' });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { scope?: string }).scope).toBe('openid');
  });

  test('a confidential client gets a secret', async () => {
    const response = await register({
      ...PUBLIC_CLIENT,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as Record<string, unknown>).client_secret).toEqual(expect.any(String));
  });

  test.each([
    'https://app.example.com/callback',
    'http://192.168.1.5:8080/callback',
    'http://0.0.0.0:8080/callback',
    'not a url',
  ])('refuses the redirect URI %s with invalid_redirect_uri', async (uri) => {
    const response = await register({ ...PUBLIC_CLIENT, redirect_uris: ['http://127.0.0.1:1/cb', uri] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_redirect_uri');
  });
});

describe('resource indicators (RFC 8707)', () => {
  test('a token requested for a loopback resource names exactly that resource in aud', async () => {
    const config = await client.discovery(
      new URL(idp.issuer),
      idp.clients.service.clientId,
      undefined,
      client.ClientSecretBasic(idp.clients.service.clientSecret),
      { execute: [client.allowInsecureRequests] },
    );
    for (const resource of [MCP_RESOURCE, 'http://localhost:4405', 'https://[::1]:8443/api/v1']) {
      const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read', resource });
      const { payload } = await verifyAccessToken(idp, tokens.access_token, resource);
      expect(payload.aud).toBe(resource);
    }
  });
});

describe('authorization server metadata (RFC 8414)', () => {
  test('is served at /.well-known/oauth-authorization-server, the same document as OpenID discovery', async () => {
    const oauth = await fetch(`${idp.issuer}/.well-known/oauth-authorization-server`);
    expect(oauth.status).toBe(200);
    const openid = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(await oauth.json()).toEqual(await openid.json());
  });

  test('under an issuer path, the well-known suffix goes before the path (RFC 8414 §3.1)', async () => {
    const okta = await startDevIdp({ issuerPath: '/oauth2/default' });
    try {
      const origin = new URL(okta.issuer).origin;
      const response = await fetch(`${origin}/.well-known/oauth-authorization-server/oauth2/default`);
      expect(response.status).toBe(200);
      const doc = (await response.json()) as { issuer: string; token_endpoint: string };
      expect(doc.issuer).toBe(okta.issuer);
      expect(doc.token_endpoint).toBe(`${okta.issuer}/token`);
      expect((await fetch(`${origin}/.well-known/oauth-authorization-server`)).status).toBe(404);
    } finally {
      await okta.close();
    }
  });
});
