/**
 * Readiness and metrics (shared/contract.md, "Readiness and metrics") against all three apps built from
 * their sources in this process, with a real dev IdP: `/metrics` protection, every metric moving when its
 * event happens (read back from `/metrics`), one audit line per decision carrying the request id, and
 * `/ready` following the IdP going down and coming back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { GatehouseOptions } from '@gatehouse/core';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { createAppLogger } from '@gatehouse/example-kit';
import { openTelemetryStore, type TelemetryStore } from '@gatehouse/example-telemetry-store';
import { freePort } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, getJson } from './helpers/http.js';
import { APP_NAMES, type AppName, type RunningApp, startInProcess } from './helpers/in-process.js';
import { type Sample, sampleSum, scrape } from './helpers/metrics.js';

const KEYS = {
  service: 'observability-service-key-0001',
  scraper: 'observability-scraper-key-0002',
  ops: 'observability-ops-key-0003',
};
const SCRAPER = `Bearer ${KEYS.scraper}`;

type LogLine = Record<string, unknown> & { event?: string; reqId?: string };

/** A pino destination that keeps the parsed lines. */
function logSink(): { lines: LogLine[]; stream: Writable } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { lines, stream };
}

function gateFor(issuer: string, audience: string): GatehouseOptions {
  return {
    env: false,
    apiKeys: [
      { name: 'service', key: KEYS.service },
      { name: 'scraper', key: KEYS.scraper, scopes: ['metrics:read'] },
      { name: 'ops', key: KEYS.ops },
    ],
    oidc: { issuers: [{ issuer, audience }] },
    admins: ['alice@example.com', 'ops'],
  };
}

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const user = (name: 'alice' | 'bob') => ({
  sub: name,
  email: `${name}@example.com`,
  email_verified: true,
  scope: 'openid api:read',
});

let idp: DevIdp;
let dir: string;
const stores: TelemetryStore[] = [];
const apps = new Map<AppName, RunningApp & { logs: LogLine[] }>();
const tokens = { alice: '', bob: '', expired: '', stranger: '' };

beforeAll(async () => {
  idp = await startDevIdp();
  dir = mkdtempSync(join(tmpdir(), 'observability-'));
  const path = join(dir, 'telemetry.db');
  tokens.alice = await idp.signAccessToken(user('alice'));
  tokens.bob = await idp.signAccessToken(user('bob'));
  tokens.expired = await idp.signAccessToken(user('bob'), { expiresInSecs: -3600 });
  // Signed with the IdP's real key, naming an issuer nobody configured.
  tokens.stranger = await idp.signAccessToken({ ...user('bob'), iss: 'https://attacker.example/0123' });
  for (const name of APP_NAMES) {
    const store = openTelemetryStore({ path, access: name === 'ingestion' ? 'read-write' : 'read-only' });
    stores.push(store);
    const { lines, stream } = logSink();
    const logger = createAppLogger({ service: name, destination: stream });
    const app = await startInProcess(name, {
      gatehouse: gateFor(idp.issuer, idp.audience),
      store,
      logger,
    });
    apps.set(name, { ...app, logs: lines });
  }
});

afterAll(async () => {
  for (const app of apps.values()) await app.close();
  for (const store of stores) store.close();
  await idp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(APP_NAMES)('%s: readiness and metrics', (name) => {
  const app = () => apps.get(name)!;
  const url = (path: string) => `${app().url}${path}`;

  it('GET /ready is public and answers 200 once the issuer keys are loaded', async () => {
    const res = await eventually(
      () => getJson(url('/ready')),
      (r) => r.status === 200,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
    expect((await getJson(url('/ready'), bearer('not-a-valid-token'))).status).toBe(200);
    expect((await getJson(url('/health'))).status).toBe(200);
  });

  it('GET /metrics: 401 without credentials, 403 insufficient_scope without metrics:read, 200 for the scope or an admin', async () => {
    const none = await getJson(url('/metrics'));
    expect(none.status).toBe(401);
    // A Bearer challenge without an error, naming the scope the route needs (RFC 6750 §3), and, where tokens
    // may be DPoP-bound, the DPoP one (RFC 9449 §7.2).
    expect(none.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="[^"]+", scope="metrics:read"(, DPoP algs="[^"]+"(, scope="metrics:read")?)?$/,
    );

    const badToken = await getJson(url('/metrics'), bearer(`${tokens.bob.slice(0, -4)}AAAA`));
    expect(badToken.status).toBe(401);
    expect(badToken.headers.get('www-authenticate')).toContain('error="invalid_token"');

    for (const credential of [KEYS.service, tokens.bob]) {
      const res = await getJson(url('/metrics'), bearer(credential));
      expect(res.status).toBe(403);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer realm="[^"]+"/);
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain('scope="metrics:read"');
      expect(res.body).toMatchObject({ error: 'insufficient_scope' });
      expect(res.text).not.toContain('gatehouse_auth_total');
    }

    for (const credential of [KEYS.scraper, KEYS.ops, tokens.alice]) {
      const res = await fetch(url('/metrics'), { headers: bearer(credential) });
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(text).toContain('# TYPE gatehouse_auth_total counter');
      expect(text).toContain('# TYPE gatehouse_auth_duration_seconds histogram');
      for (const metric of [
        'gatehouse_jwks_fetch_total',
        'gatehouse_token_cache_total',
        'gatehouse_revocations',
        'gatehouse_rate_limited_total',
      ]) {
        expect(text).toContain(`# TYPE ${metric} `);
      }
    }
  });

  it('moves each metric when its event happens, with bounded labels only', async () => {
    const before = await scrape(app().url, SCRAPER);
    const whoami = (authorization?: string) =>
      getJson(url('/v1/whoami'), authorization ? { authorization } : {});
    expect((await whoami(`Bearer ${KEYS.service}`)).status).toBe(200);
    // A token is verified at its first and second sighting (then cached), and found in the cache after.
    const fresh = await idp.signAccessToken({ ...user('bob'), jti: `moves-${name}` });
    for (let i = 0; i < 3; i++) expect((await whoami(`Bearer ${fresh}`)).status).toBe(200);
    expect((await whoami(`Bearer ${tokens.expired}`)).status).toBe(401);
    expect((await whoami(`Bearer ${tokens.stranger}`)).status).toBe(401);
    expect((await whoami()).status).toBe(401);
    expect((await getJson(url('/metrics'), bearer(KEYS.service))).status).toBe(403);
    const after = await scrape(app().url, SCRAPER);

    const delta = (metric: string, labels: Record<string, string>) =>
      sampleSum(after, metric, labels) - sampleSum(before, metric, labels);
    const auth = (outcome: string, code: string, authType: string, issuer: string) =>
      delta('gatehouse_auth_total', { outcome, code, auth_type: authType, issuer });

    expect(auth('accepted', 'ok', 'oidc', idp.issuer)).toBe(3);
    expect(auth('rejected', 'token_expired', 'oidc', idp.issuer)).toBe(1);
    expect(auth('rejected', 'unknown_issuer', 'oidc', 'unknown')).toBe(1);
    expect(auth('rejected', 'missing_credentials', 'none', 'none')).toBe(1);
    expect(auth('rejected', 'insufficient_scope', 'api_key', 'api_key')).toBe(1);
    // The whoami and this scrape: /metrics is served by Gatehouse itself (routes: true) in one step on
    // every framework, so the key it refuses is one decision, the refusal, never an acceptance too.
    expect(auth('accepted', 'ok', 'api_key', 'api_key')).toBe(2);
    expect(delta('gatehouse_token_cache_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(delta('gatehouse_token_cache_total', { result: 'miss' })).toBeGreaterThanOrEqual(2);
    // Every decision is timed: the histogram counts as many as the counter.
    const decisions = (samples: Sample[]) => sampleSum(samples, 'gatehouse_auth_duration_seconds_count');
    expect(decisions(after) - decisions(before)).toBe(
      sampleSum(after, 'gatehouse_auth_total') - sampleSum(before, 'gatehouse_auth_total'),
    );
    expect(sampleSum(after, 'gatehouse_jwks_fetch_total', { issuer: idp.issuer, result: 'success' })).toBe(1);
    expect(sampleSum(after, 'gatehouse_jwks_age_seconds', { issuer: idp.issuer })).toBeGreaterThanOrEqual(0);
    expect(after.some((s) => s.name === 'gatehouse_revocations')).toBe(true);
    expect(after.some((s) => s.name === 'gatehouse_rate_limited_total')).toBe(true);

    // Low cardinality: no label holds a subject, a token, a key or the attacker's issuer.
    const labelValues = after.flatMap((s) => Object.values(s.labels));
    for (const secret of [
      'bob',
      'service',
      'scraper',
      'https://attacker.example/0123',
      fresh,
      KEYS.service,
    ]) {
      expect(labelValues).not.toContain(secret);
    }
    const text = await (await fetch(url('/metrics'), { headers: { authorization: SCRAPER } })).text();
    for (const secret of [fresh, KEYS.service, KEYS.scraper, 'attacker.example']) {
      expect(text).not.toContain(secret);
    }
  });

  it('logs one audit line per decision and one access line per request, with the request id', async () => {
    const res = await fetch(url('/v1/whoami'), { headers: bearer(tokens.alice) });
    expect(res.status).toBe(200);
    const reqId = res.headers.get('x-request-id');
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await fetch(url('/v1/whoami?access_token=look-away'), {
      headers: bearer(tokens.expired),
    });
    const refusedId = refused.headers.get('x-request-id');
    await new Promise((resolve) => setTimeout(resolve, 50)); // pino writes asynchronously
    const of = (id: string | null) => app().logs.filter((l) => l.reqId === id);
    expect(of(reqId).map((l) => l.event)).toEqual(['gatehouse.auth.accepted', 'http.request']);
    expect(of(reqId)[0]).toMatchObject({ subject: 'alice', authType: 'oidc', service: name });
    expect(of(refusedId).map((l) => l.event)).toEqual(['gatehouse.auth.rejected', 'http.request']);
    expect(of(refusedId)[0]).toMatchObject({ code: 'token_expired', status: 401 });
    expect(of(refusedId)[1]).toMatchObject({ path: '/v1/whoami', status: 401 });
    expect(JSON.stringify(app().logs)).not.toContain('look-away');
  });
});

describe('GET /ready follows the identity provider', () => {
  const down = new Map<AppName, RunningApp>();
  let port: number;
  let issuer: string;
  let restarted: DevIdp | undefined;
  const downStores: TelemetryStore[] = [];

  beforeAll(async () => {
    port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const path = join(dir, 'telemetry.db');
    for (const name of APP_NAMES) {
      const store = openTelemetryStore({ path, access: 'read-only' });
      downStores.push(store);
      down.set(name, await startInProcess(name, { gatehouse: gateFor(issuer, idp.audience), store }));
    }
  });
  afterAll(async () => {
    for (const app of down.values()) await app.close();
    for (const store of downStores) store.close();
    await restarted?.close();
  });

  it('503 naming the issuer while it cannot be reached, 200 once it answers, and stays 200 when it goes again', async () => {
    for (const app of down.values()) {
      const res = await getJson(`${app.url}/ready`);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'not_ready', missing: [{ issuer }] });
      // The failed fetches are counted; an API key still works meanwhile.
      const failures = await eventually(
        async () =>
          sampleSum(await scrape(app.url, SCRAPER), 'gatehouse_jwks_fetch_total', {
            issuer,
            result: 'failure',
          }),
        (n) => n > 0,
      );
      expect(failures).toBeGreaterThan(0);
    }

    restarted = await startDevIdp({ port, audience: idp.audience });
    expect(restarted.issuer).toBe(issuer);
    // Failed issuers are retried at least every 10 s.
    for (const app of down.values()) {
      const res = await eventually(
        () => getJson(`${app.url}/ready`),
        (r) => r.status === 200,
        12_000,
      );
      expect(res.body).toEqual({ status: 'ready' });
    }

    const token = await restarted.signAccessToken(user('bob'));
    await restarted.close();
    restarted = undefined;
    for (const app of down.values()) {
      // Keys already fetched keep serving: still ready, and the token still passes.
      expect((await getJson(`${app.url}/ready`)).status).toBe(200);
      expect((await getJson(`${app.url}/v1/whoami`, bearer(token))).status).toBe(200);
    }
  }, 60_000);
});
