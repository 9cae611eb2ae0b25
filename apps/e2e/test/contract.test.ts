/**
 * The HTTP contract (shared/contract.md) against all three apps, built from their sources in this
 * process: one table of cases, `describe.each` over the apps. Real keys from the dev IdP (in process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatehouseOptions } from '@gatehouse/core';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { openTelemetryStore, type TelemetryStore } from '@gatehouse/example-telemetry-store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, expectChallenge, getJson, rawRequest } from './helpers/http.js';
import { APP_NAMES, type AppName, type RunningApp, startInProcess } from './helpers/in-process.js';

const SERVICE_KEY = 'contract-service-key-0001';
const OPS_KEY = 'contract-ops-key-0002';
const UNREACHABLE_ISSUER = 'http://127.0.0.1:9';

let idp: DevIdp;
let dir: string;
const stores: TelemetryStore[] = [];
const apps = new Map<AppName, RunningApp>();
const unexpected = vi.fn();
const tokens: Record<'alice' | 'bob' | 'fakeAlice' | 'expired' | 'service' | 'unreachable', string> = {
  alice: '',
  bob: '',
  fakeAlice: '',
  expired: '',
  service: '',
  unreachable: '',
};

beforeAll(async () => {
  idp = await startDevIdp();
  dir = mkdtempSync(join(tmpdir(), 'contract-'));
  const path = join(dir, 'telemetry.db');
  const gatehouse: GatehouseOptions = {
    env: false,
    apiKeys: [
      { name: 'service-key', key: SERVICE_KEY },
      { name: 'ops', key: OPS_KEY },
    ],
    oidc: {
      issuers: [
        { issuer: idp.issuer, audience: idp.audience },
        // Nothing listens there: its keys can never be fetched.
        { issuer: UNREACHABLE_ISSUER, audience: idp.audience },
      ],
    },
    admins: ['alice@example.com', 'ops'],
  };
  const user = (name: 'alice' | 'bob') => ({
    sub: name,
    email: `${name}@example.com`,
    email_verified: true,
    scope: 'openid email api:read',
  });
  tokens.alice = await idp.signAccessToken(user('alice'));
  tokens.bob = await idp.signAccessToken(user('bob'));
  // Mallory claims alice's address, unverified: never an admin.
  tokens.fakeAlice = await idp.signAccessToken({
    sub: 'mallory',
    email: 'alice@example.com',
    email_verified: false,
  });
  tokens.expired = await idp.signAccessToken(user('alice'), { expiresInSecs: -3600 });
  tokens.service = await idp.signAccessToken({ sub: 'gatehouse-service', client_id: 'gatehouse-service' });
  tokens.unreachable = await idp.signAccessToken({ ...user('bob'), iss: UNREACHABLE_ISSUER });
  for (const name of APP_NAMES) {
    const store = openTelemetryStore({ path, access: name === 'ingestion' ? 'read-write' : 'read-only' });
    stores.push(store);
    apps.set(name, await startInProcess(name, { gatehouse, store, onUnexpectedError: unexpected }));
  }
});

afterAll(async () => {
  for (const app of apps.values()) await app.close();
  for (const store of stores) store.close();
  await idp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(APP_NAMES)('%s keeps the contract', (name) => {
  const url = (path: string) => `${apps.get(name)!.url}${path}`;

  it('serves GET /health without credentials, and with bad ones', async () => {
    for (const headers of [{}, bearer('not-a-valid-token')]) {
      const res = await getJson(url('/health'), headers);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok' });
    }
  });

  it('answers 401 with a Bearer challenge without credentials, on known and unknown routes', async () => {
    for (const path of ['/v1/whoami', '/v1/admin/status', '/v1/nothing-here', '/', '/HEALTH']) {
      expectChallenge(await getJson(url(path)));
    }
    expectChallenge(await getJson(url('/v1/whoami'), { authorization: 'Basic YWxpY2U6YWxpY2U=' }));
  });

  it('answers 401 invalid_token for a rejected token, without echoing it', async () => {
    for (const token of [tokens.expired, 'unknown-api-key-123', `${tokens.bob.slice(0, -4)}AAAA`]) {
      const res = await getJson(url('/v1/whoami'), bearer(token));
      expectChallenge(res, 'invalid_token');
      expect(res.text).not.toContain(token);
    }
  });

  it('answers 503 with Retry-After when an issuer cannot be reached and none of its keys is cached', async () => {
    const res = await getJson(url('/v1/whoami'), bearer(tokens.unreachable));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ error: expect.any(String) });
    expect(res.text).not.toContain(tokens.unreachable);
  });

  it('never takes a credential from the query string or the body', async () => {
    expectChallenge(await getJson(url(`/v1/whoami?access_token=${SERVICE_KEY}`)));
    const res = await getJson(
      url('/v1/whoami'),
      { 'content-type': 'application/x-www-form-urlencoded' },
      {
        method: 'POST',
        body: `access_token=${SERVICE_KEY}`,
      },
    );
    expectChallenge(res);
  });

  it('refuses two Authorization headers', async () => {
    const res = await rawRequest(url('/v1/whoami'), [
      ['authorization', `Bearer ${SERVICE_KEY}`],
      ['authorization', `Bearer ${OPS_KEY}`],
    ]);
    expect([400, 401]).toContain(res.status);
  });

  it('reads the Bearer scheme case-insensitively', async () => {
    for (const scheme of ['bearer', 'BEARER']) {
      const res = await getJson(url('/v1/whoami'), { authorization: `${scheme} ${SERVICE_KEY}` });
      expect(res.status, scheme).toBe(200);
      expect(res.body, scheme).toMatchObject({ subject: 'service-key', authType: 'api_key' });
    }
  });

  it('answers whoami for an API key and for a JWT', async () => {
    expect((await getJson(url('/v1/whoami'), bearer(SERVICE_KEY))).body).toEqual({
      subject: 'service-key',
      issuer: 'api_key',
      authType: 'api_key',
      isAdmin: false,
      scopes: [],
    });
    expect((await getJson(url('/v1/whoami'), bearer(tokens.alice))).body).toEqual({
      subject: 'alice',
      email: 'alice@example.com',
      issuer: idp.issuer,
      authType: 'oidc',
      isAdmin: true,
      scopes: ['openid', 'email', 'api:read'],
    });
    expect((await getJson(url('/v1/whoami'), bearer(tokens.service))).body).toMatchObject({
      subject: 'gatehouse-service',
      authType: 'oidc',
      isAdmin: false,
    });
  });

  it('keeps /v1/admin/status for admins: 401, 403, 200', async () => {
    const status = async (headers: Record<string, string>) =>
      (await getJson(url('/v1/admin/status'), headers)).status;
    expect(await status({})).toBe(401);
    expect(await status(bearer(tokens.bob))).toBe(403);
    expect(await status(bearer(tokens.fakeAlice))).toBe(403);
    expect(await status(bearer(SERVICE_KEY))).toBe(403);
    expect(await status(bearer(tokens.alice))).toBe(200);
    expect(await status(bearer(OPS_KEY))).toBe(200);
    const res = await getJson(url('/v1/admin/status'), bearer(OPS_KEY));
    expect(res.body).toMatchObject({ status: 'ok', service: name, storage: { logs: expect.any(Number) } });
  });

  it('hides unknown admin paths from non-admins, and answers 404 JSON to the others', async () => {
    expect((await getJson(url('/v1/admin/secret'), bearer(tokens.bob))).status).toBe(403);
    expect((await getJson(url('/v1/admin'), bearer(tokens.bob))).status).toBe(403);
    for (const [path, token] of [
      ['/v1/admin/secret', tokens.alice],
      ['/v1/nothing-here', tokens.bob],
      ['/V1/WHOAMI', tokens.bob],
    ] as const) {
      const res = await getJson(url(path), bearer(token));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'not_found', error_description: 'no such endpoint' });
    }
  });

  it('answers odd requests with a JSON 4xx, never a 5xx', async () => {
    const auth = bearer(tokens.bob);
    const odd: [string, RequestInit][] = [
      ['/v1/%E0%A4%A', {}],
      ['/%', {}],
      ['/v1/logs?%zz=%zz', {}],
      [`/v1/${'a'.repeat(6000)}`, {}],
      ['/v1/whoami', { method: 'POST', body: '{"bad json' }],
      ['/v1/whoami', { method: 'DELETE' }],
      ['/v1/admin/status', { method: 'PUT', body: 'x'.repeat(2_000_000) }],
      ['/v1/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[' }],
      ['/v1/logs?limit=1&limit=2', {}],
      ['/v1/logs?from[a]=1', {}],
    ];
    for (const [path, init] of odd) {
      for (const headers of [{}, auth]) {
        const res = await getJson(url(path), headers, init);
        expect(res.status, `${init.method ?? 'GET'} ${path.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${init.method ?? 'GET'} ${path.slice(0, 40)}`).toBeLessThan(500);
        expect(res.body, path).toMatchObject({ error: expect.any(String) });
      }
    }
    expect(unexpected).not.toHaveBeenCalled();
  });
});
