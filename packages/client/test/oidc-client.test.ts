import { isLoopbackHost as coreIsLoopbackHost } from '@gatehouse/core';
import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOidcClient,
  DiscoveryError,
  InsecureIssuerError,
  InvalidOptionsError,
  isLoopbackHost,
  isSecureOrLoopbackUrl,
  revokeToken,
} from '../src/index.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['128.0.0.1', false],
    ['localhost.example.com', false],
    ['127.0.0.1.nip.io', false],
    ['::', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it("is @gatehouse/core's own (one loopback rule for every package)", () => {
    expect(isLoopbackHost).toBe(coreIsLoopbackHost);
  });

  it('applies to URL host names, which URL parsing lower-cases (http://LOCALHOST is loopback)', () => {
    expect(isSecureOrLoopbackUrl(new URL('http://LOCALHOST:4400'))).toBe(true);
    expect(isSecureOrLoopbackUrl(new URL('http://127.1:4400'))).toBe(true);
    expect(isSecureOrLoopbackUrl(new URL('http://[::1]:4400'))).toBe(true);
    expect(isSecureOrLoopbackUrl(new URL('http://idp.example'))).toBe(false);
  });
});

describe('createOidcClient', () => {
  it('refuses an http:// issuer on a non-loopback host before any request', () => {
    expect(() => createOidcClient({ issuer: 'http://idp.example.com', clientId: 'c' })).toThrow(
      InsecureIssuerError,
    );
    expect(() => createOidcClient({ issuer: 'http://0.0.0.0:4400', clientId: 'c' })).toThrow(
      InsecureIssuerError,
    );
    expect(() =>
      createOidcClient({
        issuer: 'https://idp.example.com',
        tokenEndpoint: 'http://10.0.0.1/token',
        clientId: 'c',
      }),
    ).toThrow(/http:\/\/ is only accepted on a loopback host/);
  });

  it('accepts https anywhere, http on loopback, and http elsewhere only with allowInsecureRequests', () => {
    expect(createOidcClient({ issuer: 'https://idp.example.com', clientId: 'c' }).issuer).toBe(
      'https://idp.example.com',
    );
    expect(createOidcClient({ issuer: 'http://127.0.0.1:4400', clientId: 'c' }).clientId).toBe('c');
    expect(createOidcClient({ issuer: 'http://[::1]:4400', clientId: 'c' }).clientId).toBe('c');
    expect(
      createOidcClient({ issuer: 'http://idp.test', clientId: 'c', allowInsecureRequests: true }).issuer,
    ).toBe('http://idp.test');
  });

  it.each([
    [{ issuer: '', clientId: 'c' }, 'issuer'],
    [{ issuer: 'not a url', clientId: 'c' }, 'issuer'],
    [{ issuer: 'ftp://idp.example', clientId: 'c' }, 'issuer'],
    [{ issuer: 'https://idp.example', clientId: '' }, 'clientId'],
    [{ issuer: 'https://idp.example', clientId: 'c', clientSecret: '' }, 'clientSecret'],
    [
      { issuer: 'https://idp.example', clientId: 'c', clientAuthMethod: 'client_secret_post' as const },
      'clientAuthMethod',
    ],
    [{ issuer: 'https://idp.example', clientId: 'c', timeoutSecs: 0 }, 'timeoutSecs'],
  ])('names the bad option: %j', (options, option) => {
    try {
      createOidcClient(options);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidOptionsError);
      expect((err as InvalidOptionsError).option).toBe(option);
      expect((err as Error).message).toContain(`"${option}"`);
    }
  });

  it('refuses a loopback issuer that advertises a plain http:// endpoint elsewhere', async () => {
    const issuer = 'http://127.0.0.1:9';
    const client = createOidcClient({
      issuer,
      clientId: 'c',
      fetch: async () => Response.json({ issuer, token_endpoint: 'http://idp.example/token' }),
    });
    await expect(client.configuration()).rejects.toMatchObject({
      constructor: InsecureIssuerError,
      issuer: 'http://idp.example/token',
    });
  });

  it('revokeToken resolves false, sending nothing, when the provider offers no revocation', async () => {
    const client = createOidcClient({
      issuer: 'https://idp.example',
      tokenEndpoint: 'https://idp.example/token',
      clientId: 'c',
      fetch: async () => {
        throw new Error('no request expected');
      },
    });
    expect(await revokeToken(client, 'a-refresh-token')).toBe(false);
  });

  it('never puts the client secret in an error', async () => {
    const client = createOidcClient({
      issuer: 'http://127.0.0.1:9',
      clientId: 'c',
      clientSecret: 's3cr3t-value',
    });
    const err = await client.configuration().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscoveryError);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('s3cr3t-value');
    expect(String((err as Error).message)).toContain('http://127.0.0.1:9');
  });
});

describe('discovery against the dev IdP', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await startTestIssuer();
  });
  afterAll(async () => {
    await issuer?.close();
  });

  it('discovers once and shares the result between grants', async () => {
    const client = createOidcClient({
      issuer: issuer.idp.issuer,
      clientId: 'gatehouse-cli',
      fetch: issuer.proxy.fetch,
    });
    const [a, b] = await Promise.all([client.configuration(), client.configuration()]);
    expect(a).toBe(b);
    expect(a.serverMetadata().token_endpoint).toBe(`${issuer.idp.issuer}/token`);
    expect(issuer.proxy.requests.filter((r) => r.path.includes('.well-known')).length).toBe(1);
  });
});
