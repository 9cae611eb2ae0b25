import { createHash, randomUUID } from 'node:crypto';
import type { GatehouseOptions } from '@gatehouse/core';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpAnswer, send } from './http.js';
import { TARGETS } from './targets.js';

// The contract's "Sender-constrained and opaque tokens" on every adapter, against the real OpenID provider
// (oidc-provider) with DPoP and introspection on: one issuer per DPoP mode, opaque tokens at the first.

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
interface ProofKey extends KeyPair {
  readonly jwk: JWK;
  readonly jkt: string;
}

async function proofKey(): Promise<ProofKey> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  return { ...pair, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

async function proof(
  key: ProofKey,
  htu: string,
  token: string,
  claims: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({
    jti: randomUUID(),
    htm: 'GET',
    htu,
    iat: Math.floor(Date.now() / 1000),
    ath: createHash('sha256').update(token).digest('base64url'),
    ...claims,
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })
    .sign(key.privateKey);
}

function expectDpopRefusal(
  res: HttpAnswer,
  error: 'invalid_dpop_proof' | 'invalid_token' | 'use_dpop_nonce',
): void {
  expect(res.status, res.body).toBe(401);
  const challenge = String(res.headers['www-authenticate']);
  expect(challenge).toMatch(/^Bearer realm="conformance"/);
  expect(challenge).toMatch(new RegExp(`DPoP algs="[^"]*ES256[^"]*", error="${error}"`));
  expect(res.json().error).toBe(error);
}

let opaque: DevIdp; // DPoP allowed, opaque access tokens checked by introspection
let strict: DevIdp; // DPoP required
let plain: DevIdp; // DPoP disabled
let key: ProofKey;
let thief: ProofKey;

async function serviceToken(idp: DevIdp, dpopKey?: ProofKey): Promise<string> {
  const config = await oidc.discovery(
    new URL(idp.issuer),
    idp.clients.service.clientId,
    idp.clients.service.clientSecret,
    undefined,
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const DPoP = dpopKey ? oidc.getDPoPHandle(config, dpopKey as never) : undefined;
  return (await oidc.clientCredentialsGrant(config, { scope: 'api:read' }, { DPoP })).access_token;
}

const setup = (extra: Partial<GatehouseOptions> = {}): GatehouseOptions => ({
  apiKeys: [{ name: 'legacy-service', key: 'conformance-key-123' }],
  oidc: {
    issuers: [
      {
        issuer: opaque.issuer,
        audience: opaque.audience,
        introspection: {
          clientId: opaque.clients.resourceServer.clientId,
          clientSecret: opaque.clients.resourceServer.clientSecret,
        },
      },
      { issuer: strict.issuer, audience: strict.audience, dpop: 'required' },
      { issuer: plain.issuer, audience: plain.audience, dpop: 'disabled' },
    ],
    ...extra.oidc,
  },
  admins: ['alice@example.com'],
  ...extra,
});

beforeAll(async () => {
  [opaque, strict, plain] = await Promise.all([
    startDevIdp({ accessTokenFormat: 'opaque' }),
    startDevIdp(),
    startDevIdp(),
  ]);
  [key, thief] = await Promise.all([proofKey(), proofKey()]);
});
afterAll(() => Promise.all([opaque?.close(), strict?.close(), plain?.close()]));

describe.each(TARGETS)(
  '$name adapter: DPoP, certificate-free sender constraints, introspection',
  (target) => {
    let url: string;
    let close: () => Promise<void>;
    let htu: string;

    beforeAll(async () => {
      // No public URL: the origin the app listens on (the socket's), never the Host header.
      ({ url, close } = await target.start(setup()));
      htu = `${url}/v1/whoami`;
    });
    afterAll(() => close?.());

    const get = (path: string, headers: Record<string, string | string[]>) =>
      send(`${url}${path}`, { headers });
    const dpopGet = async (token: string, proofValue?: string | string[], path = '/v1/whoami') =>
      get(
        path,
        proofValue === undefined
          ? { authorization: `DPoP ${token}` }
          : { authorization: `DPoP ${token}`, dpop: proofValue },
      );

    it('accepts a DPoP-bound JWT with a proof by its key, once per proof', async () => {
      const token = await opaque.signAccessToken({ sub: 'bound-user', cnf: { jkt: key.jkt } });
      const dpop = await proof(key, htu, token);
      const ok = await dpopGet(token, dpop);
      expect(ok.status, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ subject: 'bound-user', issuer: opaque.issuer, authType: 'oidc' });
      expectDpopRefusal(await dpopGet(token, dpop), 'invalid_dpop_proof');
    });

    it('refuses a bound token sent as Bearer, with a proof by another key, or without a proof', async () => {
      const token = await opaque.signAccessToken({ sub: 'bound-user', cnf: { jkt: key.jkt } });
      expectDpopRefusal(await get('/v1/whoami', { authorization: `Bearer ${token}` }), 'invalid_token');
      expectDpopRefusal(
        await get('/v1/whoami', { authorization: `Bearer ${token}`, dpop: await proof(key, htu, token) }),
        'invalid_token',
      );
      expectDpopRefusal(await dpopGet(token, await proof(thief, htu, token)), 'invalid_token');
      expectDpopRefusal(await dpopGet(token), 'invalid_dpop_proof');
      expectDpopRefusal(
        await dpopGet(token, [await proof(key, htu, token), await proof(key, htu, token)]),
        'invalid_dpop_proof',
      );
    });

    it('checks htm, htu (from the listening origin, never Host; query ignored), iat and ath', async () => {
      const token = await opaque.signAccessToken({ sub: 'bound-user', cnf: { jkt: key.jkt } });
      const good = await dpopGet(token, await proof(key, `${htu}?other=1#f`, token), '/v1/whoami?x=1');
      expect(good.status, good.body).toBe(200);
      const spoofed = await get('/v1/whoami', {
        authorization: `DPoP ${token}`,
        dpop: await proof(key, 'http://api.evil.example/v1/whoami', token),
        host: 'api.evil.example',
      });
      expectDpopRefusal(spoofed, 'invalid_dpop_proof');
      const now = Math.floor(Date.now() / 1000);
      for (const claims of [
        { htm: 'POST' },
        { htu: `${url}/v1/other` },
        { iat: now - 301 },
        { iat: now + 120 },
        { ath: 'x' },
      ]) {
        expectDpopRefusal(await dpopGet(token, await proof(key, htu, token, claims)), 'invalid_dpop_proof');
      }
    });

    it('allowed: an unbound token passes as Bearer, or as DPoP with a valid proof', async () => {
      const token = await opaque.signAccessToken({ sub: 'unbound-user' });
      expect((await get('/v1/whoami', { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await dpopGet(token, await proof(thief, htu, token))).status).toBe(200);
    });

    it('required: an unbound token is refused either way; a bound one passes with its proof', async () => {
      const unbound = await strict.signAccessToken({ sub: 'strict-user' });
      expectDpopRefusal(await get('/v1/whoami', { authorization: `Bearer ${unbound}` }), 'invalid_token');
      expectDpopRefusal(await dpopGet(unbound, await proof(key, htu, unbound)), 'invalid_token');
      const bound = await serviceToken(strict, key); // bound by the real provider
      const ok = await dpopGet(bound, await proof(key, htu, bound));
      expect(ok.status, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ subject: strict.clients.service.clientId, issuer: strict.issuer });
    });

    it('disabled: the DPoP scheme and bound tokens are refused; unbound bearer tokens pass', async () => {
      const unbound = await plain.signAccessToken({ sub: 'plain-user' });
      expect((await get('/v1/whoami', { authorization: `Bearer ${unbound}` })).status).toBe(200);
      const scheme = await dpopGet(unbound, await proof(key, htu, unbound));
      expect(scheme.status).toBe(401);
      expect(scheme.headers['www-authenticate']).toContain('error="invalid_token"');
      const bound = await plain.signAccessToken({ sub: 'plain-user', cnf: { jkt: key.jkt } });
      expect((await get('/v1/whoami', { authorization: `Bearer ${bound}` })).status).toBe(401);
    });

    it('a cached bound token still needs a fresh valid proof on every request', async () => {
      const token = await opaque.signAccessToken({ sub: 'cached-user', cnf: { jkt: key.jkt } });
      for (let i = 0; i < 4; i++)
        expect((await dpopGet(token, await proof(key, htu, token))).status).toBe(200);
      expectDpopRefusal(await dpopGet(token), 'invalid_dpop_proof');
      expectDpopRefusal(await get('/v1/whoami', { authorization: `Bearer ${token}` }), 'invalid_token');
      expectDpopRefusal(await dpopGet(token, await proof(thief, htu, token)), 'invalid_token');
    });

    it('route rules apply after the sender check', async () => {
      const admin = await opaque.signAccessToken({
        sub: 'alice',
        email: 'alice@example.com',
        email_verified: true,
        cnf: { jkt: key.jkt },
      });
      expect(
        (await dpopGet(admin, await proof(key, `${url}/v1/admin/status`, admin), '/v1/admin/status')).status,
      ).toBe(200);
      const user = await opaque.signAccessToken({ sub: 'bob', cnf: { jkt: key.jkt } });
      expect(
        (await dpopGet(user, await proof(key, `${url}/v1/admin/status`, user), '/v1/admin/status')).status,
      ).toBe(403);
    });

    it('an API key never takes the DPoP scheme', async () => {
      expect((await get('/v1/whoami', { authorization: 'Bearer conformance-key-123' })).status).toBe(200);
      const res = await dpopGet('conformance-key-123', await proof(key, htu, 'conformance-key-123'));
      expect(res.status).toBe(401);
    });

    it('checks an opaque token by introspection: active passes, inactive is 401', async () => {
      const token = await serviceToken(opaque);
      expect(token.split('.')).toHaveLength(1);
      const res = await get('/v1/whoami', { authorization: `Bearer ${token}` });
      expect(res.status, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        subject: opaque.clients.service.clientId,
        issuer: opaque.issuer,
        scopes: ['api:read'],
      });
      const inactive = await get('/v1/whoami', { authorization: `Bearer ${token}x` });
      expect(inactive.status).toBe(401);
      expect(inactive.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('an opaque DPoP-bound token needs its proof', async () => {
      const token = await serviceToken(opaque, key);
      expect((await dpopGet(token, await proof(key, htu, token))).status).toBe(200);
      expectDpopRefusal(await get('/v1/whoami', { authorization: `Bearer ${token}` }), 'invalid_token');
    });
  },
);

describe.each(TARGETS)('$name adapter: server nonces and an unreachable introspection endpoint', (target) => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ url, close } = await target.start(
      setup({
        publicUrl: 'https://api.example.com/gateway',
        oidc: {
          issuers: [
            {
              issuer: opaque.issuer,
              audience: opaque.audience,
              introspection: { clientId: 'x', clientSecret: 'y', endpoint: 'http://127.0.0.1:9/introspect' },
            },
          ],
          dpopNonceSecret: 'a secret every instance shares, 32+ bytes',
        },
      }),
    ));
  });
  afterAll(() => close?.());

  it('asks for a nonce, then accepts the proof that carries it', async () => {
    const htu = 'https://api.example.com/gateway/v1/whoami';
    const token = await opaque.signAccessToken({ sub: 'nonce-user', cnf: { jkt: key.jkt } });
    const first = await send(`${url}/v1/whoami`, {
      headers: { authorization: `DPoP ${token}`, dpop: await proof(key, htu, token) },
    });
    expectDpopRefusal(first, 'use_dpop_nonce');
    const nonce = String(first.headers['dpop-nonce']);
    expect(nonce.length).toBeGreaterThan(10);
    const second = await send(`${url}/v1/whoami`, {
      headers: { authorization: `DPoP ${token}`, dpop: await proof(key, htu, token, { nonce }) },
    });
    expect(second.status, second.body).toBe(200);
    // The listening origin is not the public URL: a proof naming it is refused.
    const local = await send(`${url}/v1/whoami`, {
      headers: {
        authorization: `DPoP ${token}`,
        dpop: await proof(key, `${url}/v1/whoami`, token, { nonce }),
      },
    });
    expectDpopRefusal(local, 'invalid_dpop_proof');
  });

  it('answers 503 with Retry-After while the introspection endpoint is unreachable', async () => {
    const res = await send(`${url}/v1/whoami`, { headers: { authorization: 'Bearer some-opaque-token' } });
    expect(res.status, res.body).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
