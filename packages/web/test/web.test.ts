/**
 * @gatehouse/web beyond the shared adapter suites: the gate built on the first request from a Worker's
 * `env`, the operational routes answered by the main check only, and background work handed to a
 * Worker's `waitUntil`. Real Web `Request`s; a real OpenID provider where keys are loaded.
 */
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExecutionContextLike,
  gatehouse,
  guard,
  lazyGatehouse,
  serverConnection,
  withGatehouse,
} from '../src/index.js';

const KEY = 'web-key-0123456789';
const ADMIN_KEY = 'web-admin-key-0123456';
const KEYS = JSON.stringify([
  { name: 'svc', key: KEY },
  { name: 'ops', key: ADMIN_KEY },
]);
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const request = (path: string, init: RequestInit = {}) => new Request(`http://worker.test${path}`, init);
const whoami = (_request: Request, gated: { auth?: { subject: string } }) =>
  Response.json({ subject: gated.auth?.subject ?? null });

/** A Worker's execution context that records what it was asked to keep alive. */
function execution(): ExecutionContextLike & { kept: Promise<unknown>[] } {
  const kept: Promise<unknown>[] = [];
  return { kept, waitUntil: (promise) => void kept.push(promise) };
}

describe('lazyGatehouse: a gate built on the first request', () => {
  it("builds once, from the Worker's env bindings the first request brings, for the main check and every helper", async () => {
    const seen: unknown[] = [];
    const auth = lazyGatehouse(
      (env: { GATEHOUSE_API_KEYS: string; GATEHOUSE_ADMINS: string } | undefined) => {
        seen.push(env);
        return { env, publicPaths: ['/health'] };
      },
    );
    const admin = withGatehouse(auth.admin(), () => Response.json({ admin: true }));
    const main = withGatehouse(auth, whoami);
    expect(seen).toEqual([]);

    const env = { GATEHOUSE_API_KEYS: KEYS, GATEHOUSE_ADMINS: '["ops"]' };
    expect((await admin(request('/admin', { headers: bearer(KEY) }), env)).status).toBe(403);
    expect((await admin(request('/admin', { headers: bearer(ADMIN_KEY) }), env)).status).toBe(200);
    expect(await (await main(request('/v1/whoami', { headers: bearer(KEY) }), env)).json()).toEqual({
      subject: 'svc',
    });
    expect((await main(request('/v1/whoami'), env)).status).toBe(401);
    expect(seen).toEqual([env]);
  });

  it('keeps the handler context as env when the caller supplies the connection', async () => {
    const auth = lazyGatehouse((env: { GATEHOUSE_API_KEYS: string } | undefined) => ({ env }));
    const handler = withGatehouse(auth, whoami, { connection: () => ({ address: '192.0.2.1' }) });
    const answer = await handler(request('/', { headers: bearer(KEY) }), { GATEHOUSE_API_KEYS: KEYS });
    expect(await answer.json()).toEqual({ subject: 'svc' });
  });

  it('finds the connection to build the gate, then only when a step needs it', async () => {
    const auth = lazyGatehouse((env: Record<string, string> | undefined) => ({ env, routes: true }));
    let lookups = 0;
    const handler = withGatehouse(auth, whoami, {
      connection: () => {
        lookups++;
        return {};
      },
    });
    const env = { GATEHOUSE_API_KEYS: KEYS };
    expect((await handler(request('/v1/whoami', { headers: bearer(KEY) }), env)).status).toBe(200);
    expect(lookups).toBe(1);
    // A known API key needs no address: neither the operational routes nor the check look it up.
    expect((await handler(request('/v1/whoami', { headers: bearer(KEY) }), env)).status).toBe(200);
    expect(lookups).toBe(1);
  });

  it('says on the first request, naming the variable, when the bindings are malformed', async () => {
    const auth = lazyGatehouse((env: Record<string, string> | undefined) => ({ env }));
    const handler = withGatehouse(auth, whoami);
    await expect(handler(request('/'), { GATEHOUSE_API_KEYS: '[{"name":' })).rejects.toThrow(
      /GATEHOUSE_API_KEYS/,
    );
  });
});

describe('routes: true on fetch handlers', () => {
  const auth = gatehouse({
    env: false,
    apiKeys: [
      { name: 'svc', key: KEY },
      { name: 'ops', key: ADMIN_KEY },
    ],
    admins: ['ops'],
    routes: true,
  });

  it('answers the operational routes from the main check, before the handler', async () => {
    const handler = withGatehouse(auth, () => new Response('handler'));
    const ready = await handler(request('/ready'), undefined);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const head = await handler(request('/ready', { method: 'HEAD' }), undefined);
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect((await handler(request('/metrics', { headers: bearer(KEY) }), undefined)).status).toBe(403);
    const created = await handler(
      request('/v1/admin/revocations', {
        method: 'POST',
        headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
        body: '{"apiKey":"nobody"}',
      }),
      undefined,
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const lifted = await handler(
      request(`/v1/admin/revocations/${id}`, { method: 'DELETE', headers: bearer(ADMIN_KEY) }),
      undefined,
    );
    expect(lifted.status).toBe(204);
    expect(lifted.body).toBeNull();
    expect(await (await handler(request('/v1/x', { headers: bearer(KEY) }), undefined)).text()).toBe(
      'handler',
    );
  });

  it('leaves them to the handler behind a helper check, which serves no route', async () => {
    const handler = withGatehouse(auth.admin(), () => new Response('handler'));
    expect(auth.admin().serveRoute).toBeUndefined();
    expect(await (await handler(request('/ready', { headers: bearer(ADMIN_KEY) }), undefined)).text()).toBe(
      'handler',
    );
  });

  it('answers them from a guard as well (a Next.js proxy, a Worker front step)', async () => {
    const front = guard(auth);
    expect((await front(request('/ready'), undefined))?.status).toBe(200);
    expect(await front(request('/v1/x', { headers: bearer(KEY) }), undefined)).toBeUndefined();
    expect((await front(request('/v1/x'), undefined))?.status).toBe(401);
  });
});

describe("background work handed to a Worker's waitUntil", () => {
  let idp: DevIdp;
  beforeAll(async () => {
    idp = await startDevIdp();
  });
  afterAll(() => idp?.close());

  it('hands over the key set loading that routes: true starts, and nothing once it is done', async () => {
    const auth = lazyGatehouse((env: Record<string, string> | undefined) => ({ env, routes: true }));
    const env = {
      GATEHOUSE_API_KEYS: KEYS,
      GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers: [{ issuer: idp.issuer, audience: idp.audience }] }),
    };
    const handler = withGatehouse(auth, whoami);
    const first = execution();
    expect((await handler(request('/v1/whoami', { headers: bearer(KEY) }), env, first)).status).toBe(200);
    expect(first.kept).toHaveLength(1);
    await first.kept[0];
    expect(auth.gate.ready()).toEqual({ ready: true, missing: [] });
    const later = execution();
    expect((await handler(request('/ready'), env, later)).status).toBe(200);
    expect(later.kept).toEqual([]);
  });
});

describe('serverConnection', () => {
  it("keeps a Worker's env (no known server) as env, and knows no address", () => {
    const env = { GATEHOUSE_API_KEYS: KEYS };
    expect(serverConnection(request('/'), env)).toEqual({ env });
  });

  it('reads the address Deno.serve and Bun.serve give', () => {
    expect(serverConnection(request('/'), { remoteAddr: { hostname: '192.0.2.7' } }).address).toBe(
      '192.0.2.7',
    );
    const bun = { requestIP: () => ({ address: '192.0.2.8' }) };
    expect(serverConnection(request('/'), bun).address).toBe('192.0.2.8');
  });
});
