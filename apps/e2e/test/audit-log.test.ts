/**
 * The apps' logs as an operator gets them: the built apps as real processes (stdout, LOG_LEVEL=debug),
 * many kinds of requests, good and hostile, then a grep of everything they printed. No token, API key,
 * client secret or password may appear, in any form a request carried it; every line of a request
 * carries its request id, and every request that reached a decision has its audit line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './helpers/http.js';
import { type RunningProcess, startApp, startIdp } from './helpers/processes.js';
import { AUDIENCE, SERVICE_CLIENT, serviceToken, userToken } from './helpers/tokens.js';

const SENDER_KEY = 'audit-sender-key-5c1e9d';
const SCRAPER_KEY = 'audit-scraper-key-a47f02';
const BASIC_PASSWORD = 'hunter2-audit-password';
const APPS = ['ingestion', 'analytics', 'analytics-koa'] as const;

let dataDir: string;
let idp: RunningProcess;
const apps: RunningProcess[] = [];
const tokens = { service: '', alice: '' };
const output: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'audit-'));
  idp = await startIdp();
  const env = {
    TELEMETRY_DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    GATEHOUSE_API_KEYS: JSON.stringify([
      { name: 'sender', key: SENDER_KEY },
      { name: 'scraper', key: SCRAPER_KEY, scopes: ['metrics:read'] },
    ]),
    GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers: [{ issuer: idp.url, audience: AUDIENCE }] }),
    GATEHOUSE_ADMINS: JSON.stringify(['alice@example.com']),
  };
  // Ingestion first: it creates the database the analytics apps open read-only.
  apps.push(await startApp('ingestion', env));
  apps.push(...(await Promise.all(APPS.slice(1).map((name) => startApp(name, env)))));
  [tokens.service, tokens.alice] = await Promise.all([serviceToken(idp.url), userToken(idp.url, 'alice')]);
}, 90_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await idp?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every secret, in every form a request carried it. */
function secrets(): string[] {
  const jwtParts = (token: string) => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    return [token, `${header}.${payload}`, signature, signature.slice(0, 24)];
  };
  return [
    ...jwtParts(tokens.service),
    ...jwtParts(tokens.alice),
    SENDER_KEY,
    SCRAPER_KEY,
    SERVICE_CLIENT.secret,
    BASIC_PASSWORD,
    Buffer.from(`alice:${BASIC_PASSWORD}`).toString('base64'),
  ];
}

describe('the audit log', () => {
  it('never contains a token, key or secret, after a run with many kinds of requests', async () => {
    const tampered = `${tokens.alice.slice(0, -6)}AAAAAA`;
    const payloadOnly = tokens.alice.split('.').slice(0, 2).join('.');
    const requestIds = new Set<string>();
    const send = async (base: string, path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, init);
      await res.arrayBuffer();
      const id = res.headers.get('x-request-id');
      if (id) requestIds.add(id);
      return res.status;
    };

    for (const { url, name } of apps) {
      const statuses: number[] = [];
      const headers = (authorization: string, extra: Record<string, string> = {}) => ({
        headers: { authorization, ...extra },
      });
      statuses.push(
        await send(url, '/v1/whoami', headers(`Bearer ${tokens.service}`)),
        await send(url, '/v1/whoami', headers(`Bearer ${tokens.service}`)),
        await send(url, '/v1/whoami', headers(`Bearer ${tokens.alice}`)),
        await send(url, '/v1/whoami', headers(`bearer ${SENDER_KEY}`)),
        await send(url, '/v1/whoami', headers(`Bearer ${SENDER_KEY}x`)),
        await send(url, '/v1/whoami', headers(`Bearer ${tampered}`)),
        await send(url, '/v1/whoami', headers(`Bearer ${payloadOnly}`)),
        await send(url, '/v1/whoami', headers(`Bearer ${tokens.alice}${'A'.repeat(9000)}`)),
        await send(
          url,
          '/v1/whoami',
          headers(`Basic ${Buffer.from(`alice:${BASIC_PASSWORD}`).toString('base64')}`),
        ),
        await send(url, '/v1/whoami', headers(`DPoP ${tokens.service}`, { dpop: tokens.alice })),
        await send(url, `/v1/whoami?access_token=${tokens.service}&api_key=${SENDER_KEY}`),
        await send(url, '/v1/whoami', headers(`Bearer ${tokens.alice}`, { 'x-request-id': SENDER_KEY })),
        await send(url, '/v1/whoami', headers(`Bearer ${tokens.alice}`, { cookie: `session=${SENDER_KEY}` })),
        await send(url, '/v1/admin/status', headers(`Bearer ${tokens.service}`)),
        await send(url, '/v1/admin/status', headers(`Bearer ${tokens.alice}`)),
        await send(url, '/metrics', headers(`Bearer ${SCRAPER_KEY}`)),
        await send(url, '/metrics', headers(`Bearer ${tokens.service}`)),
        await send(url, '/ready'),
        await send(url, '/v1/nothing-here', headers(`Bearer ${tokens.service}`)),
      );
      const twice = await rawRequest(`${url}/v1/whoami`, [
        ['Authorization', `Bearer ${tokens.alice}`],
        ['Authorization', `Bearer ${SENDER_KEY}`],
      ]);
      statuses.push(twice.status);
      if (name === 'ingestion') {
        statuses.push(
          await send(url, '/v1/ingest', {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.service}`, 'content-type': 'application/json' },
            body: JSON.stringify({ logs: [{ processId: 'p', level: 'info', message: SENDER_KEY }] }),
          }),
        );
      }
      // The run really exercised accepted, rejected and refused paths.
      expect(statuses).toEqual(expect.arrayContaining([200, 400, 401, 403, 404]));
    }

    // SIGTERM: the apps stop cleanly and flush their logs.
    for (const app of apps) expect((await app.stop()).code).toBe(0);
    for (const app of apps) output.push(app.stdout(), app.stderr());
    const all = output.join('\n');
    expect(all).toContain('gatehouse.auth.accepted');
    expect(all).toContain('gatehouse.auth.rejected');
    for (const secret of secrets())
      expect(all.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`).toBe(false);

    // Structure: JSON lines (besides each app's one start-up line), a request id on every request line,
    // and an audit line for every request that reached a decision.
    const lines = all.split('\n').filter((l) => l.trim() !== '');
    const json = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => !l.startsWith('{')).every((l) => /listening on http/.test(l))).toBe(true);
    const access = json.filter((l) => l.event === 'http.request');
    expect(access.length).toBeGreaterThanOrEqual(requestIds.size);
    const audited = new Set(
      json.filter((l) => String(l.event).startsWith('gatehouse.auth.')).map((l) => l.reqId as string),
    );
    for (const line of access) {
      // (/health is polled while the apps start; the doubled-header request is sent without fetch.)
      if (line.path === '/health') continue;
      const id = line.reqId as string;
      expect(requestIds.has(id) || line.path === '/v1/whoami', JSON.stringify(line)).toBe(true);
      if (line.path !== '/ready') expect(audited.has(id), JSON.stringify(line)).toBe(true);
    }
  }, 120_000);
});
