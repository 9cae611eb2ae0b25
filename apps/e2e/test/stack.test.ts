/**
 * The whole stack as real processes: the dev IdP and the three built apps on ports the OS picks, one
 * SQLite folder between them. Real tokens (client credentials, a headless PKCE login), ingestion through
 * apps/ingestion, reads through both analytics apps, the API-key path, admins, and a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectChallenge, getJson, type Json } from './helpers/http.js';
import {
  type RunningProcess,
  runBuilt,
  spawnBuilt,
  startApp,
  startIdp,
  waitForOutput,
} from './helpers/processes.js';
import { AUDIENCE, SERVICE_CLIENT, serviceToken, userToken } from './helpers/tokens.js';

const SENDER_KEY = 'e2e-legacy-sender-key-7f3a';
const OPS_KEY = 'e2e-ops-key-91bc';
const APPS = ['ingestion', 'analytics', 'analytics-koa'] as const;
type AppName = (typeof APPS)[number];

let dataDir: string;
let idp: RunningProcess;
let appEnv: Record<string, string>;
const apps = {} as Record<AppName, RunningProcess>;
const tokens = { service: '', alice: '', bob: '' };
const url = (name: AppName, path: string) => `${apps[name].url}${path}`;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'stack-'));
  idp = await startIdp();
  appEnv = {
    TELEMETRY_DATA_DIR: dataDir,
    GATEHOUSE_API_KEYS: JSON.stringify([
      { name: 'legacy-sender', key: SENDER_KEY },
      { name: 'ops-console', key: OPS_KEY },
    ]),
    GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers: [{ issuer: idp.url, audience: AUDIENCE }] }),
    GATEHOUSE_ADMINS: JSON.stringify(['alice@example.com', 'ops-console']),
  };
  const started = await Promise.all(APPS.map((name) => startApp(name, appEnv)));
  for (const app of started) apps[app.name as AppName] = app;
  [tokens.service, tokens.alice, tokens.bob] = await Promise.all([
    serviceToken(idp.url),
    userToken(idp.url, 'alice'),
    userToken(idp.url, 'bob'),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all(Object.values(apps).map((app) => app.stop()));
  await idp?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const ingest = (token: string, batch: unknown) =>
  getJson(
    url('ingestion', '/v1/ingest'),
    { ...bearer(token), 'content-type': 'application/json' },
    {
      method: 'POST',
      body: JSON.stringify(batch),
    },
  );

describe('the stack as processes', () => {
  it('serves /health without credentials and answers 401 with a challenge without them', async () => {
    for (const name of APPS) {
      expect((await getJson(url(name, '/health'))).status).toBe(200);
      expectChallenge(await getJson(url(name, '/v1/whoami')));
    }
  });

  it('accepts the client-credentials token of the service everywhere', async () => {
    for (const name of APPS) {
      const res = await getJson(url(name, '/v1/whoami'), bearer(tokens.service));
      expect(res.body).toMatchObject({
        subject: 'gatehouse-service',
        issuer: idp.url,
        authType: 'oidc',
        isAdmin: false,
      });
      expect(res.body!.scopes).toEqual(expect.arrayContaining(['api:read', 'api:write']));
    }
  });

  it('stores a batch sent with the service token and serves it through both analytics apps', async () => {
    const res = await ingest(tokens.service, {
      processes: [{ processId: 'checkout-1', name: 'checkout', host: 'node-a', pid: 4242 }],
      logs: [{ processId: 'checkout-1', level: 'error', message: 'payment provider timeout' }],
      metrics: [{ processId: 'checkout-1', name: 'http.latency', value: 812, unit: 'ms' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: { processes: 1, logs: 1, metrics: 1 } });
    const sender = { subject: 'gatehouse-service', issuer: idp.url, authType: 'oidc' };
    for (const name of ['analytics', 'analytics-koa'] as const) {
      const logs = await getJson(url(name, '/v1/logs?processId=checkout-1'), bearer(tokens.service));
      expect(logs.body!.entries).toEqual([
        expect.objectContaining({ message: 'payment provider timeout', level: 'error', sender }),
      ]);
      // Ownership: bob sent nothing, so he reads nothing; alice is an admin and reads everything.
      const notBobs = await getJson(url(name, '/v1/logs?processId=checkout-1'), bearer(tokens.bob));
      expect(notBobs.body).toMatchObject({ count: 0, entries: [] });
      const metrics = await getJson(url(name, '/v1/metrics?name=http.latency'), bearer(tokens.service));
      expect(metrics.body!.points).toEqual([
        expect.objectContaining({ processId: 'checkout-1', value: 812 }),
      ]);
      const processes = await getJson(url(name, '/v1/processes'), bearer(tokens.alice));
      expect(processes.body!.processes).toContainEqual(
        expect.objectContaining({ processId: 'checkout-1', pid: 4242, sender }),
      );
    }
  });

  it('takes an API key through the same middleware, stamping its name', async () => {
    const who = await getJson(url('ingestion', '/v1/whoami'), bearer(SENDER_KEY));
    expect(who.body).toEqual({
      subject: 'legacy-sender',
      issuer: 'api_key',
      authType: 'api_key',
      isAdmin: false,
      scopes: [],
    });
    const res = await ingest(SENDER_KEY, {
      logs: [{ processId: 'cron-7', level: 'info', message: 'nightly job done' }],
    });
    expect(res.status).toBe(200);
    for (const name of ['analytics', 'analytics-koa'] as const) {
      const logs = await getJson(url(name, '/v1/logs?processId=cron-7'), bearer(SENDER_KEY));
      expect(logs.body!.entries[0]).toMatchObject({
        message: 'nightly job done',
        sender: { subject: 'legacy-sender', issuer: 'api_key', authType: 'api_key' },
      });
    }
  });

  it('keeps admin routes for admins: alice (by email) and the ops key; not bob, not the service', async () => {
    for (const name of APPS) {
      const status = async (token: string) =>
        (await getJson(url(name, '/v1/admin/status'), bearer(token))).status;
      expect(await status(tokens.alice), name).toBe(200);
      expect(await status(OPS_KEY), name).toBe(200);
      expect(await status(tokens.bob), name).toBe(403);
      expect(await status(tokens.service), name).toBe(403);
      expectChallenge(await getJson(url(name, '/v1/admin/status')));
    }
    const who = await getJson(url('analytics', '/v1/whoami'), bearer(tokens.alice));
    expect(who.body).toMatchObject({ subject: 'alice', email: 'alice@example.com', isAdmin: true });
    const retention = await getJson(
      url('analytics-koa', '/v1/admin/retention?olderThanDays=30&dryRun=true'),
      bearer(tokens.bob),
      {
        method: 'POST',
      },
    );
    expect(retention.status).toBe(403);
  });

  it('keeps the data across a restart of ingestion', async () => {
    const before = (await getJson(url('ingestion', '/v1/admin/status'), bearer(OPS_KEY))).body as Json;
    expect(before.storage.logs).toBeGreaterThanOrEqual(2);
    const exit = await apps.ingestion.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    apps.ingestion = await startApp('ingestion', appEnv);
    const after = (await getJson(url('ingestion', '/v1/admin/status'), bearer(OPS_KEY))).body as Json;
    expect(after.storage).toMatchObject({ logs: before.storage.logs, metrics: before.storage.metrics });
    expect(
      (await ingest(tokens.service, { logs: [{ processId: 'checkout-1', level: 'info', message: 'back' }] }))
        .status,
    ).toBe(200);
    const logs = await getJson(url('analytics', '/v1/logs?processId=checkout-1'), bearer(tokens.service));
    expect(logs.body!.entries.map((e: Json) => e.message)).toEqual(['back', 'payment provider timeout']);
  });

  it('answers a validation error with a 400 naming the field', async () => {
    const res = await ingest(tokens.service, {
      metrics: [{ processId: 'checkout-1', name: 'x', value: 'high' }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', field: 'metrics[0].value' });
    const query = await getJson(url('analytics-koa', '/v1/logs?limit=100000'), bearer(tokens.bob));
    expect(query.body).toMatchObject({ error: 'invalid_request', field: 'limit' });
  });

  it('runs the example sender with client credentials and with an API key', async () => {
    const common = { INGESTION_URL: apps.ingestion.url, SENDER_PROCESS_ID: 'sender.e2e' };
    const viaOidc = await runBuilt('telemetry-sender', {
      ...common,
      GATEHOUSE_OIDC_ISSUER: idp.url,
      GATEHOUSE_OIDC_CLIENT_ID: SERVICE_CLIENT.id,
      GATEHOUSE_OIDC_CLIENT_SECRET: SERVICE_CLIENT.secret,
      GATEHOUSE_OIDC_AUDIENCE: AUDIENCE,
    });
    expect(viaOidc.code, viaOidc.stderr).toBe(0);
    expect(viaOidc.stdout).toMatch(/batch 1 accepted .* as gatehouse-service \(oidc\)/);
    const viaKey = await runBuilt('telemetry-sender', { ...common, GATEHOUSE_INGESTION_API_KEY: SENDER_KEY });
    expect(viaKey.code, viaKey.stderr).toBe(0);
    expect(viaKey.stdout).toMatch(/as legacy-sender \(api_key\)/);
    expect(viaOidc.stdout + viaKey.stdout).not.toContain(SENDER_KEY);

    const processes = await getJson(url('analytics-koa', '/v1/processes'), bearer(tokens.alice));
    const senders = (processes.body!.processes as Json[])
      .filter((p) => p.processId === 'sender.e2e')
      .map((p) => p.sender.subject)
      .sort();
    expect(senders).toEqual(['gatehouse-service', 'legacy-sender']);
  });

  it('keeps a sender with SENDER_BATCHES=0 sending until it is stopped (it used to end after one batch)', async () => {
    const sender = spawnBuilt('telemetry-sender', {
      INGESTION_URL: apps.ingestion.url,
      GATEHOUSE_INGESTION_API_KEY: SENDER_KEY,
      SENDER_BATCHES: '0',
      SENDER_INTERVAL_SECS: '1',
      SENDER_PROCESS_ID: 'sender.e2e-forever',
    });
    try {
      await waitForOutput(sender, /batch 3 accepted/);
      expect(sender.child.exitCode).toBeNull();
      expect((await sender.stop('SIGTERM')).code).toBe(0);
    } finally {
      await sender.stop('SIGKILL');
    }
  });

  it('makes the sender fail with the status when ingestion refuses its credentials', async () => {
    const result = await runBuilt('telemetry-sender', {
      INGESTION_URL: apps.ingestion.url,
      GATEHOUSE_INGESTION_API_KEY: 'not-a-known-key',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^telemetry-sender: ingestion answered 401 invalid_token/);
    expect(result.stderr).not.toContain('not-a-known-key');
  });
});
