import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  chooseAuthorizationServer,
  createFileTokenStore,
  createOidcClient,
  createUserTokenSource,
  discoverProtectedResource,
  InvalidOptionsError,
  parseWwwAuthenticate,
  protectedResourceMetadataUrl,
  ResourceMetadataError,
  readResourceChallenge,
} from '../src/index.js';
import { tempDir } from './helpers/fixtures.js';
import { headlessLogin } from './helpers/login.js';
import { type FixtureResource, startFixtureResource } from './helpers/protected-resource.js';

let issuer: TestIssuer;
let api: FixtureResource;
beforeAll(async () => {
  issuer = await startTestIssuer();
  api = await startFixtureResource();
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
});
afterEach(() => api.reset());

describe('protectedResourceMetadataUrl (RFC 9728 §3.1)', () => {
  it.each([
    ['https://api.example.com', 'https://api.example.com/.well-known/oauth-protected-resource'],
    ['https://api.example.com/', 'https://api.example.com/.well-known/oauth-protected-resource'],
    ['https://api.example.com/mcp', 'https://api.example.com/.well-known/oauth-protected-resource/mcp'],
    [
      'https://api.example.com/v1/mcp/',
      'https://api.example.com/.well-known/oauth-protected-resource/v1/mcp',
    ],
    [
      'https://api.example.com/x?tenant=a',
      'https://api.example.com/.well-known/oauth-protected-resource/x?tenant=a',
    ],
  ])('%s → %s', (resource, expected) => {
    expect(protectedResourceMetadataUrl(resource).href).toBe(expected);
  });
});

describe('parseWwwAuthenticate / readResourceChallenge', () => {
  it('splits several challenges and unescapes quoted values', () => {
    const header =
      'Bearer realm="a \\"quoted\\" realm", error="invalid_token", error_description="expired, renew", DPoP algs="ES256 RS256", Basic realm=x';
    expect(parseWwwAuthenticate(header)).toEqual([
      {
        scheme: 'Bearer',
        params: { realm: 'a "quoted" realm', error: 'invalid_token', error_description: 'expired, renew' },
      },
      { scheme: 'DPoP', params: { algs: 'ES256 RS256' } },
      { scheme: 'Basic', params: { realm: 'x' } },
    ]);
  });

  it('reads resource_metadata, scope and the step-up parameters of a Bearer or DPoP challenge', () => {
    expect(
      readResourceChallenge(
        'Bearer realm="mcp", error="insufficient_user_authentication", acr_values="urn:a urn:b", max_age=300, resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"',
      ),
    ).toEqual({
      scheme: 'Bearer',
      error: 'insufficient_user_authentication',
      acrValues: ['urn:a', 'urn:b'],
      maxAge: 300,
      resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource/mcp',
    });
    expect(readResourceChallenge('DPoP algs="ES256", error="insufficient_scope", scope="a b"')).toMatchObject(
      {
        scheme: 'DPoP',
        scope: 'a b',
      },
    );
    expect(readResourceChallenge('Basic realm="x"')).toBeUndefined();
    expect(readResourceChallenge(null)).toBeUndefined();
  });
});

describe('discoverProtectedResource', () => {
  const metadataFor = (resource: string) => ({
    resource,
    authorization_servers: [issuer.idp.issuer],
    scopes_supported: ['api:read', 'api:write'],
  });

  it('reads the path-inserted well-known document and checks it names the resource', async () => {
    const resource = `${api.origin}/mcp`;
    api.documents.set('/.well-known/oauth-protected-resource/mcp', metadataFor(resource));
    const metadata = await discoverProtectedResource(resource);
    expect(metadata).toMatchObject({ resource, authorization_servers: [issuer.idp.issuer] });
    expect(api.requested).toEqual(['/.well-known/oauth-protected-resource/mcp']);
  });

  it("falls back to the origin's document when it covers the resource's path", async () => {
    api.documents.set('/.well-known/oauth-protected-resource', metadataFor(api.origin));
    const metadata = await discoverProtectedResource(`${api.origin}/mcp`);
    expect(metadata.resource).toBe(api.origin);
    expect(api.requested).toEqual([
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
  });

  it("with probe, follows the resource_metadata of the resource's 401", async () => {
    const resource = `${api.origin}/mcp`;
    api.documents.set('/meta/mcp.json', metadataFor(resource));
    api.challengeMetadata = `${api.origin}/meta/mcp.json`;
    const metadata = await discoverProtectedResource(resource, { probe: true });
    expect(metadata.resource).toBe(resource);
    expect(api.requested).toEqual(['/mcp', '/meta/mcp.json']);
  });

  it('reads a metadata URL taken from a challenge', async () => {
    const resource = `${api.origin}/mcp`;
    api.documents.set('/meta/mcp.json', metadataFor(resource));
    const metadata = await discoverProtectedResource(resource, {
      metadataUrl: `${api.origin}/meta/mcp.json`,
    });
    expect(metadata.scopes_supported).toEqual(['api:read', 'api:write']);
  });

  it('refuses a document that describes another resource (RFC 9728 §3.3)', async () => {
    api.documents.set('/.well-known/oauth-protected-resource/mcp', metadataFor(`${api.origin}/other`));
    const found = discoverProtectedResource(`${api.origin}/mcp`);
    await expect(found).rejects.toBeInstanceOf(ResourceMetadataError);
    await expect(found).rejects.toMatchObject({ code: 'resource_metadata_failed' });
    await expect(found).rejects.toThrow(/describes .*\/other", not this resource/);

    api.documents.set('/.well-known/oauth-protected-resource/mcp', metadataFor('https://evil.example/mcp'));
    await expect(discoverProtectedResource(`${api.origin}/mcp`)).rejects.toThrow(/not this resource/);
  });

  it('says what is wrong with a malformed document or none at all', async () => {
    await expect(discoverProtectedResource(`${api.origin}/mcp`)).rejects.toThrow(/not found \(404\)/);
    api.documents.set('/.well-known/oauth-protected-resource/mcp', ['not', 'an', 'object']);
    await expect(discoverProtectedResource(`${api.origin}/mcp`)).rejects.toThrow(/not a JSON object/);
    api.documents.set('/.well-known/oauth-protected-resource/mcp', {
      resource: `${api.origin}/mcp`,
      authorization_servers: 'https://idp.example',
    });
    await expect(discoverProtectedResource(`${api.origin}/mcp`)).rejects.toThrow(/authorization_servers/);
  });

  it('refuses plain http off loopback, and a fragment, before any request', async () => {
    const insecure = discoverProtectedResource('http://api.example.com/mcp');
    await expect(insecure).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(insecure).rejects.toMatchObject({ option: 'resource' });
    await expect(discoverProtectedResource(`${api.origin}/mcp#x`)).rejects.toMatchObject({
      option: 'resource',
    });
    expect(api.requested).toEqual([]);
  });
});

describe('chooseAuthorizationServer', () => {
  const metadata = {
    resource: 'https://api.example.com',
    authorization_servers: ['https://a.example', 'https://b.example'],
  };
  it('takes the first, or the preferred one when the resource lists it', () => {
    expect(chooseAuthorizationServer(metadata)).toBe('https://a.example');
    expect(chooseAuthorizationServer(metadata, 'https://b.example')).toBe('https://b.example');
  });
  it('refuses an issuer the resource does not list, and a resource that lists none', () => {
    expect(() => chooseAuthorizationServer(metadata, 'https://c.example')).toThrow(InvalidOptionsError);
    expect(() => chooseAuthorizationServer({ resource: 'https://api.example.com' })).toThrow(
      ResourceMetadataError,
    );
  });
});

describe('a login for a resource found from its metadata (RFC 9728 + RFC 8707)', () => {
  it('logs in at the listed issuer; the access token, also after a refresh, is for exactly that resource', async () => {
    const { idp } = issuer;
    const resource = `${api.origin}/mcp`;
    api.documents.set('/.well-known/oauth-protected-resource/mcp', {
      resource,
      authorization_servers: [idp.issuer],
      scopes_supported: ['api:read'],
    });
    const metadata = await discoverProtectedResource(resource);
    const client = createOidcClient({
      issuer: chooseAuthorizationServer(metadata),
      clientId: idp.clients.cli.clientId,
      audience: metadata.resource,
      scope: ['openid', 'offline_access', ...(metadata.scopes_supported ?? [])].join(' '),
    });
    const { dir, cleanup } = await tempDir();
    onTestFinished(cleanup);
    const store = createFileTokenStore({ path: `${dir}/tokens.json` });
    const source = createUserTokenSource(client, { store, login: headlessLogin(client, idp) });
    const tokens = await source.login();
    expect((await store.read())?.audience).toBe(resource);
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ aud: resource, scope: 'api:read', sub: 'alice' });

    source.invalidate(tokens.accessToken);
    const refreshed = await source.getTokenSet();
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(decodeJwt(refreshed.accessToken).aud).toBe(resource);
  });
});
