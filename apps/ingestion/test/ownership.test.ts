/**
 * The ingestion app's reads go through an AuthZEN PDP (the example PDP with its ownership policies, as a
 * real process): a sender lists the processes it sent, an admin everyone's; a PDP that cannot be reached
 * is a 503 for those reads only, never an allow, and ingestion goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTelemetryStore, type TelemetryStore } from '@gatehouse/example-telemetry-store';
import { freePort, type HttpProcess, OWNERSHIP_POLICIES, startAuthzenPdp } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

const KEYS = {
  svc: 'svc-key-0123456789',
  other: 'other-key-0123456789',
  idle: 'idle-key-0123456789',
  ops: 'ops-key-0123456789',
};
const gatehouse = {
  env: false as const,
  apiKeys: Object.entries(KEYS).map(([name, key]) => ({ name, key })),
  admins: ['ops'],
};

let dir: string;
let store: TelemetryStore;
let pdp: HttpProcess;
let pdpUrl: string;
const servers: Server[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingestion-ownership-'));
  store = openTelemetryStore({ path: join(dir, 'telemetry.db') });
  ({ url: pdpUrl, process: pdp } = await startAuthzenPdp({ AUTHZEN_POLICIES: OWNERSHIP_POLICIES }));
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await pdp?.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(pdpUrl: string): Promise<string> {
  const server = createApp({ gatehouse, store, pdpUrl }).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const as = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
const processIds = async (base: string, key: string) => {
  const res = await fetch(`${base}/v1/processes`, { headers: as(key) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { processes: { processId: string }[] }).processes.map((p) => p.processId);
};

describe('ingestion: who reads whose processes, decided by an AuthZEN PDP', () => {
  it('lists a sender its own processes, an admin everyone’s, someone who sent nothing none', async () => {
    const base = await start(pdpUrl);
    for (const [key, processId] of [
      [KEYS.svc, 'web-1'],
      [KEYS.other, 'db-1'],
    ] as const) {
      const body = JSON.stringify({ processes: [{ processId, name: processId }] });
      expect((await fetch(`${base}/v1/ingest`, { method: 'POST', headers: as(key), body })).status).toBe(200);
    }
    expect(await processIds(base, KEYS.svc)).toEqual(['web-1']);
    expect(await processIds(base, KEYS.other)).toEqual(['db-1']);
    expect(await processIds(base, KEYS.idle)).toEqual([]);
    expect((await processIds(base, KEYS.ops)).sort()).toEqual(['db-1', 'web-1']);
  });

  it('answers 503 with Retry-After while the PDP cannot be reached, and still ingests', async () => {
    const base = await start(`http://127.0.0.1:${await freePort()}`);
    const res = await fetch(`${base}/v1/processes`, { headers: as(KEYS.ops) });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ error: 'authz_unavailable' });
    const body = JSON.stringify({ logs: [{ processId: 'web-1', level: 'info', message: 'still here' }] });
    expect((await fetch(`${base}/v1/ingest`, { method: 'POST', headers: as(KEYS.svc), body })).status).toBe(
      200,
    );
  });
});
