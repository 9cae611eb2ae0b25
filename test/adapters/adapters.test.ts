import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpAnswer, send } from './http.js';
import { RUNTIME_TARGETS } from './runtime-targets.js';
import { TARGETS } from './targets.js';

const API_KEY = 'conformance-key-123';
const ADMIN_KEY = 'conformance-admin-key-456';

let idp: DevIdp;
let serviceToken: string;
let unreachableIssuer: string;

/** A real client-credentials token from the development OpenID provider. */
async function clientCredentialsToken(scope: string): Promise<string> {
  const metadata = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
    token_endpoint: string;
  };
  const { clientId, clientSecret } = idp.clients.service;
  const res = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

function expectChallenge(res: HttpAnswer, status: number, error?: string): void {
  expect(res.status, res.body).toBe(status);
  const challenge = res.headers['www-authenticate'];
  if (status === 401 || (status === 400 && error)) {
    expect(challenge).toMatch(/^Bearer realm="conformance"/);
    if (error) expect(challenge).toContain(`error="${error}"`);
    else expect(challenge).not.toContain('error=');
  }
  if (error === 'insufficient_scope') expect(challenge).toContain('error="insufficient_scope"');
  if (status >= 400) {
    const body = res.json();
    expect(typeof body.error).toBe('string');
    expect(typeof body.error_description).toBe('string');
  }
}

beforeAll(async () => {
  idp = await startDevIdp();
  serviceToken = await clientCredentialsToken('api:read');
  // An issuer nobody answers for: a port that was just closed.
  const closed = await startDevIdp();
  unreachableIssuer = closed.issuer;
  await closed.close();
});
afterAll(() => idp?.close());

describe.each([...TARGETS, ...RUNTIME_TARGETS])('$name adapter', (target) => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ url, close } = await target.start({
      env: false,
      apiKeys: [
        { name: 'legacy-service', key: API_KEY },
        { name: 'admin-service', key: ADMIN_KEY },
      ],
      oidc: {
        issuers: [
          { issuer: idp.issuer, audience: idp.audience },
          { issuer: unreachableIssuer, audience: 'urn:nowhere' },
        ],
      },
      admins: ['admin-service', 'alice@example.com'],
    }));
  });
  afterAll(() => close?.());

  const get = (path: string, authorization?: string | string[]) =>
    send(`${url}${path}`, { headers: authorization === undefined ? {} : { authorization } });

  it('serves the public route without credentials', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('refuses a request without credentials with a bare challenge', async () => {
    expectChallenge(await get('/v1/whoami'), 401);
  });

  it('treats another scheme as missing Bearer credentials', async () => {
    expectChallenge(await get('/v1/whoami', `Basic ${Buffer.from('u:p').toString('base64')}`), 401);
  });

  it('accepts an API key, scheme in lower case', async () => {
    const res = await get('/v1/whoami', `bearer ${API_KEY}`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      subject: 'legacy-service',
      issuer: 'api_key',
      authType: 'api_key',
      isAdmin: false,
    });
  });

  it('accepts a JWT from the real OpenID provider (client credentials)', async () => {
    const res = await get('/v1/whoami', `Bearer ${serviceToken}`);
    expect(res.status, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      subject: idp.clients.service.clientId,
      issuer: idp.issuer,
      authType: 'oidc',
      isAdmin: false,
      scopes: ['api:read'],
    });
  });

  it('refuses an expired JWT as invalid_token, saying it expired', async () => {
    const expired = await idp.signAccessToken({ sub: 'someone' }, { expiresInSecs: -120 });
    const res = await get('/v1/whoami', `Bearer ${expired}`);
    expectChallenge(res, 401, 'invalid_token');
    expect(res.headers['www-authenticate']).toContain('error_description="token expired"');
    expect(res.body).not.toContain(expired);
  });

  it('refuses a JWT with a bad signature', async () => {
    const [h, p, s] = serviceToken.split('.');
    const flipped = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    expectChallenge(await get('/v1/whoami', `Bearer ${flipped}`), 401, 'invalid_token');
  });

  it('refuses an unknown API key', async () => {
    expectChallenge(await get('/v1/whoami', 'Bearer not-a-configured-key'), 401, 'invalid_token');
  });

  it('optional route: no credentials pass without identity, good ones identify, bad ones fail', async () => {
    expect((await get('/v1/optional')).json()).toEqual({ authenticated: false });
    expect((await get('/v1/optional', `Bearer ${API_KEY}`)).json()).toMatchObject({
      authenticated: true,
      subject: 'legacy-service',
    });
    expectChallenge(await get('/v1/optional', 'Bearer wrong-key'), 401, 'invalid_token');
  });

  it('admin route: 401 without credentials, 403 for a non-admin, 200 for an admin', async () => {
    expectChallenge(await get('/v1/admin/status'), 401);
    const denied = await get('/v1/admin/status', `Bearer ${API_KEY}`);
    expect(denied.status).toBe(403);
    expect(denied.json().error).toBe('forbidden');
    expect((await get('/v1/admin/status', `Bearer ${serviceToken}`)).status).toBe(403);
    expect((await get('/v1/admin/status', `Bearer ${ADMIN_KEY}`)).status).toBe(200);
    const alice = await idp.signAccessToken({
      sub: 'alice-sub',
      email: 'alice@example.com',
      email_verified: true,
    });
    expect((await get('/v1/admin/status', `Bearer ${alice}`)).status).toBe(200);
  });

  it('never grants admin through an unverified email', async () => {
    const unverified = await idp.signAccessToken({
      sub: 'x',
      email: 'alice@example.com',
      email_verified: false,
    });
    expect((await get('/v1/admin/status', `Bearer ${unverified}`)).status).toBe(403);
  });

  it('refuses a missing scope with 403 insufficient_scope', async () => {
    const res = await get('/v1/scoped', `Bearer ${serviceToken}`);
    expectChallenge(res, 403, 'insufficient_scope');
    expect(res.headers['www-authenticate']).toContain('scope="api:write"');
    const writer = await clientCredentialsToken('api:read api:write');
    expect((await get('/v1/scoped', `Bearer ${writer}`)).status).toBe(200);
  });

  it('answers a repeated token from the cache with the same identity and the same route rules', async () => {
    const token = await clientCredentialsToken('api:read');
    // The cache admits a token at its second verification; from the third request on, the adapter's
    // synchronous fast path answers.
    for (let i = 0; i < 4; i++) {
      const res = await get('/v1/whoami', `Bearer ${token}`);
      expect(res.status, res.body).toBe(200);
      expect(res.json()).toMatchObject({ subject: idp.clients.service.clientId, scopes: ['api:read'] });
      expectChallenge(await get('/v1/scoped', `Bearer ${token}`), 403, 'insufficient_scope');
      expect((await get('/v1/admin/status', `Bearer ${token}`)).status).toBe(403);
    }
  });

  it('refuses an oversized header before any work', async () => {
    const res = await get('/v1/whoami', `Bearer ${'a'.repeat(10_000)}`);
    expectChallenge(res, 400, 'invalid_request');
  });

  it('ignores a token in the query string', async () => {
    expectChallenge(await get(`/v1/whoami?access_token=${serviceToken}`), 401);
  });

  it('ignores a token in the body', async () => {
    const res = await send(`${url}/v1/whoami`, {
      method: 'GET',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(`access_token=${serviceToken}`.length),
      },
      body: `access_token=${serviceToken}`,
    });
    expectChallenge(res, 401);
  });

  it('refuses two Authorization headers, even two valid ones', async () => {
    const res = await get('/v1/whoami', [`Bearer ${API_KEY}`, `Bearer ${API_KEY}`]);
    expect([400, 401]).toContain(res.status);
    expect(res.status).toBe(400);
  });

  it('answers 503 with Retry-After when the issuer is unreachable and no key is cached', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k' })
      .setIssuer(unreachableIssuer)
      .setAudience('urn:nowhere')
      .setExpirationTime('5m')
      .sign(privateKey);
    const res = await get('/v1/whoami', `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses malformed tokens with 4xx, never 5xx', async () => {
    for (const value of [
      'Bearer a.b.c',
      'Bearer eyJ.eyJ.sig',
      'Bearer =',
      'Bearer ',
      'Bearer a b',
      'Bearer\ttab',
    ]) {
      const res = await get('/v1/whoami', value);
      expect(res.status, value).toBeGreaterThanOrEqual(400);
      expect(res.status, value).toBeLessThan(500);
    }
  });
});
