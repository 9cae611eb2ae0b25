import { createServer } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  type DevIdp,
  isLoopbackHost,
  NonLoopbackHostError,
  SERVICE_CLIENT_ID,
  SERVICE_CLIENT_SECRET,
  type SigningAlg,
  startDevIdp,
  TOKEN_EXCHANGE_GRANT_TYPE,
} from '../src/index.js';
import { configFor, loginWithCode, verifyAccessToken } from './helpers.js';

type Discovery = Record<string, unknown>;

let idp: DevIdp;
beforeAll(async () => {
  idp = await startDevIdp({
    clients: [
      {
        client_id: 'third-party',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        redirect_uris: ['http://127.0.0.1:9999/callback'],
      },
    ],
  });
});
afterAll(() => idp.close());

describe('discovery', () => {
  test('advertises the endpoints and grants the clients rely on', async () => {
    const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc).toMatchObject({
      issuer: idp.issuer,
      jwks_uri: idp.jwksUri,
      token_endpoint: `${idp.issuer}/token`,
      authorization_endpoint: `${idp.issuer}/auth`,
      revocation_endpoint: `${idp.issuer}/token/revocation`,
      introspection_endpoint: `${idp.issuer}/token/introspection`,
      device_authorization_endpoint: `${idp.issuer}/device/auth`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
        TOKEN_EXCHANGE_GRANT_TYPE,
      ]),
    );
    expect(doc.grant_types_supported).not.toContain('implicit');
  });

  test('the JWKS publishes the signing key, and no private part of it', async () => {
    const { keys } = (await (await fetch(idp.jwksUri)).json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: idp.kid, alg: 'RS256', use: 'sig', kty: 'RSA' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(secret);
  });
});

describe('loopback only', () => {
  test.each(['0.0.0.0', '192.168.1.1', '::', '10.0.0.1', 'example.com'])(
    'refuses to bind %s',
    async (host) => {
      const start = startDevIdp({ host });
      await expect(start).rejects.toBeInstanceOf(NonLoopbackHostError);
      await expect(start).rejects.toThrow(/development identity provider.*refuses non-loopback/);
    },
  );

  test('knows what loopback is', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '128.0.0.1', '127.0.0', 'localhost.example.com', '']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });

  test.each([
    ['localhost', /^http:\/\/localhost:\d+$/],
    ['::1', /^http:\/\/\[::1\]:\d+$/],
  ])('on %s the issuer names that host and serves discovery', async (host, issuer) => {
    const other = await startDevIdp({ host });
    try {
      expect(other.issuer).toMatch(issuer);
      const doc = (await (
        await fetch(`${other.issuer}/.well-known/openid-configuration`)
      ).json()) as Discovery;
      expect(doc.issuer).toBe(other.issuer);
    } finally {
      await other.close();
    }
  });
});

describe('quiet', () => {
  test('starting, issuing tokens of every kind and closing print nothing (no oidc-provider NOTICE)', async () => {
    const spies = (['log', 'info', 'warn', 'error'] as const).map((method) => vi.spyOn(console, method));
    try {
      const other = await startDevIdp();
      const service = await configFor(other, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
      await client.clientCredentialsGrant(service, { scope: 'api:read' });
      const cli = await configFor(other, 'gatehouse-cli');
      const { tokens } = await loginWithCode(other, cli, { username: 'alice', password: 'alice' });
      const refreshed = await client.refreshTokenGrant(cli, tokens.refresh_token!);
      await client.tokenRevocation(cli, refreshed.refresh_token!);
      const device = await configFor(other, 'gatehouse-device');
      const { user_code } = await client.initiateDeviceAuthorization(device, { scope: 'openid' });
      await other.approveDevice(user_code, { username: 'bob', password: 'bob' });
      await other.close();
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('close()', () => {
  test('frees the port even with a keep-alive connection open', async () => {
    const other = await startDevIdp();
    await (await fetch(other.jwksUri, { headers: { connection: 'keep-alive' } })).text();
    await other.close();

    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(other.port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => probe.close(resolve));
  });
});

describe('signAccessToken', () => {
  test('verifies against the JWKS with the published kid and defaulted iss and aud', async () => {
    const token = await idp.signAccessToken({ sub: 'alice', scope: 'api:read', email_verified: false });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: idp.kid });
    const { payload } = await verifyAccessToken(idp, token);
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: idp.audience,
      sub: 'alice',
      email_verified: false,
    });
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  test('shapes what tests need: expired, claims left out, another kid', async () => {
    const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
    const expired = await idp.signAccessToken({ sub: 'alice' }, { expiresInSecs: -300 });
    await expect(jwtVerify(expired, jwks)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });

    const noExp = await idp.signAccessToken({ exp: undefined, aud: 'https://elsewhere.example' });
    const { payload } = await jwtVerify(noExp, jwks);
    expect(payload.exp).toBeUndefined();
    expect(payload.sub).toBeUndefined();
    expect(payload.aud).toBe('https://elsewhere.example');

    const unknownKid = await idp.signAccessToken({ sub: 'alice' }, { kid: 'not-published' });
    await expect(jwtVerify(unknownKid, jwks)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

describe.each<SigningAlg>(['ES256', 'EdDSA'])('signingAlg %s', (signingAlg) => {
  test('signs access tokens, ID tokens and signAccessToken output with it', async () => {
    const other = await startDevIdp({ signingAlg });
    try {
      const service = await configFor(other, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
      const { access_token } = await client.clientCredentialsGrant(service, { scope: 'api:read' });
      expect((await verifyAccessToken(other, access_token)).protectedHeader.alg).toBe(signingAlg);

      const { tokens } = await loginWithCode(other, await configFor(other, 'gatehouse-cli'), {
        username: 'bob',
        password: 'bob',
      });
      expect(decodeProtectedHeader(tokens.id_token!).alg).toBe(signingAlg);

      const signed = await other.signAccessToken({ sub: 'bob' });
      expect((await verifyAccessToken(other, signed)).payload.sub).toBe('bob');
    } finally {
      await other.close();
    }
  });
});

describe('options', () => {
  test('an extra client that is not first-party goes through the consent page', async () => {
    const config = await configFor(idp, 'third-party');
    const { tokens } = await loginWithCode(
      idp,
      config,
      { username: 'bob', password: 'bob' },
      { scope: 'openid api:read' },
    );
    expect((await verifyAccessToken(idp, tokens.access_token)).payload).toMatchObject({
      sub: 'bob',
      client_id: 'third-party',
    });
  });

  test.each([
    [{ port: 70000 }, /"port"/],
    [{ audience: 'not a uri' }, /"audience"/],
    [{ extraAudiences: ['https://ok.example', 'nope'] }, /"extraAudiences\[1\]"/],
    [{ signingAlg: 'HS256' as SigningAlg }, /"signingAlg"/],
    [{ accessTokenTtlSecs: 0 }, /"accessTokenTtlSecs"/],
    [{ clients: [{ client_id: 'gatehouse-cli' }] }, /"clients\[0\]\.client_id".*built-in/],
    [{ clients: [{ client_id: 'x', redirect_uris: ['not-a-url'] }] }, /"clients\[0\]" is invalid/],
  ])('%o is refused, naming the option', async (options, message) => {
    await expect(startDevIdp(options)).rejects.toThrow(message);
  });
});
