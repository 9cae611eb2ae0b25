/**
 * `routes: true` on every adapter: the operational routes (`/ready`, `/metrics`, the revocation admin
 * routes, back-channel logout) served by the library itself, with the same answers everywhere.
 */
import { BACKCHANNEL_LOGOUT_EVENT } from '@gatehouse/core';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHead, send } from './http.js';
import { RUNTIME_TARGETS } from './runtime-targets.js';
import { TARGETS } from './targets.js';

const KEY = 'routes-key-0123456789';
const ADMIN_KEY = 'routes-admin-key-0123';
const SCRAPER_KEY = 'routes-scraper-key-0123';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const json = { 'content-type': 'application/json' };

let idp: DevIdp;
beforeAll(async () => {
  idp = await startDevIdp();
});
afterAll(() => idp?.close());

// The runtime targets are the one Hono file (routes: true in its code) on Node, Bun and Deno.
describe.each([...TARGETS, ...RUNTIME_TARGETS])('$name with routes: true', (target) => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ url, close } = await target.start({
      apiKeys: [
        { name: 'svc', key: KEY },
        { name: 'ops', key: ADMIN_KEY },
        { name: 'scraper', key: SCRAPER_KEY, scopes: ['metrics:read'] },
      ],
      oidc: { issuers: [{ issuer: idp.issuer, audience: idp.audience }] },
      admins: ['ops'],
      routes: true,
    }));
    // routes: true starts loading the keys at once: /ready turns 200 by itself.
    for (let i = 0; i < 100 && (await send(`${url}/ready`)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(() => close?.());
  const revocations = () => `${url}/v1/admin/revocations`;

  it('serves GET /ready publicly', async () => {
    const ready = await send(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
    expect(ready.headers['cache-control']).toBe('no-store');
  });

  it('answers HEAD /ready and HEAD /metrics with their status and no body', async () => {
    expect(await rawHead(`${url}/ready`)).toEqual({ status: 200, after: '' });
    expect(await rawHead(`${url}/metrics`, bearer(SCRAPER_KEY))).toEqual({ status: 200, after: '' });
    expect(await rawHead(`${url}/metrics`)).toEqual({ status: 401, after: '' });
  });

  it('serves GET /metrics to admins and metrics:read only', async () => {
    const none = await send(`${url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer realm="conformance"/);
    const scoped = await send(`${url}/metrics`, { headers: bearer(KEY) });
    expect(scoped.status).toBe(403);
    expect(scoped.headers['www-authenticate']).toContain('scope="metrics:read"');
    for (const key of [SCRAPER_KEY, ADMIN_KEY]) {
      const text = await send(`${url}/metrics`, { headers: bearer(key) });
      expect(text.status).toBe(200);
      expect(text.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(text.body).toContain('# TYPE gatehouse_auth_total counter');
      expect(text.body).toContain('# TYPE gatehouse_auth_duration_seconds histogram');
    }
  });

  it('serves the revocation routes to admins: 201, listed, in force, lifted with 204, then 404', async () => {
    expect((await send(revocations(), { method: 'GET', headers: bearer(KEY) })).status).toBe(403);
    expect((await send(revocations())).status).toBe(401);
    const created = await send(revocations(), {
      method: 'POST',
      headers: { ...bearer(ADMIN_KEY), ...json },
      body: '{"apiKey":"svc"}',
    });
    expect(created.status, created.body).toBe(201);
    const { id } = created.json() as { id: string };
    expect(created.headers.location).toBe(`/v1/admin/revocations/${id}`);
    expect((await send(`${url}/v1/whoami`, { headers: bearer(KEY) })).status).toBe(401);
    expect((await send(revocations(), { headers: bearer(ADMIN_KEY) })).json()).toMatchObject([
      { id, apiKey: 'svc' },
    ]);
    const lifted = await send(`${revocations()}/${id}`, { method: 'DELETE', headers: bearer(ADMIN_KEY) });
    expect(lifted.status).toBe(204);
    expect(lifted.body).toBe('');
    expect(
      (await send(`${revocations()}/${id}`, { method: 'DELETE', headers: bearer(ADMIN_KEY) })).status,
    ).toBe(404);
    expect((await send(`${url}/v1/whoami`, { headers: bearer(KEY) })).status).toBe(200);
  });

  it.each([
    ['malformed JSON', json, '{"apiKey":', 400, 'invalid_request'],
    ['two selectors', json, '{"apiKey":"a","jti":"b","issuer":"c"}', 400, 'invalid_request'],
    ['another media type', { 'content-type': 'text/plain' }, '{"apiKey":"svc"}', 400, 'invalid_request'],
    ['a body over 16 KiB', json, `{"apiKey":"${'a'.repeat(17_000)}"}`, 413, 'payload_too_large'],
  ])('refuses %s with %i and a JSON body, never storing it', async (_, type, body, status, error) => {
    const refused = await send(revocations(), {
      method: 'POST',
      headers: { ...bearer(ADMIN_KEY), ...type },
      body,
    });
    expect(refused.status).toBe(status);
    expect(refused.json()).toMatchObject({ error });
    expect((await send(revocations(), { headers: bearer(ADMIN_KEY) })).json()).toEqual([]);
  });

  it('answers a wrong method on a served path with 405 and Allow', async () => {
    const wrong = await send(`${url}/ready`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
  });

  it('serves back-channel logout publicly: a logout token revokes, a replay or junk is a 400', async () => {
    const token = await idp.signAccessToken(
      { sub: 'alice', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, exp: undefined },
      { header: { typ: 'logout+jwt' } },
    );
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const logout = () =>
      send(`${url}/v1/backchannel-logout`, { method: 'POST', headers: form, body: `logout_token=${token}` });
    expect((await logout()).status).toBe(200);
    const replay = await logout();
    expect(replay.status).toBe(400);
    expect(replay.json()).toMatchObject({ error: 'invalid_request' });
    expect(
      (await send(`${url}/v1/backchannel-logout`, { method: 'POST', headers: form, body: 'logout_token=x' }))
        .status,
    ).toBe(400);
    const listed = (await send(revocations(), { headers: bearer(ADMIN_KEY) })).json() as unknown as {
      subject?: string;
    }[];
    expect(listed.some((r) => r.subject === 'alice')).toBe(true);
  });

  it('leaves every other path to the application', async () => {
    expect((await send(`${url}/health`)).status).toBe(200);
    expect((await send(`${url}/v1/whoami`, { headers: bearer(KEY) })).status).toBe(200);
    // Every adapter refuses an unknown path without credentials, except Nest, whose guards see only its routes.
    expect([401, 404]).toContain((await send(`${url}/ready/more`)).status);
  });
});

describe.each(TARGETS)('$name with routes moved or turned off', (target) => {
  it('serves under the prefix and not where a route is turned off', async () => {
    const { url, close } = await target.start({
      apiKeys: [{ name: 'ops', key: ADMIN_KEY }],
      admins: ['ops'],
      routes: { prefix: '/ops', metrics: '/internal/metrics', revocations: false },
    });
    try {
      expect((await send(`${url}/ops/ready`)).status).toBe(200);
      expect((await send(`${url}/ops/internal/metrics`, { headers: bearer(ADMIN_KEY) })).status).toBe(200);
      expect([401, 404]).toContain((await send(`${url}/ready`)).status);
      expect((await send(`${url}/ops/v1/admin/revocations`, { headers: bearer(ADMIN_KEY) })).status).toBe(
        404,
      );
    } finally {
      await close();
    }
  });
});
