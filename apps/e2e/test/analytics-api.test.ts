/**
 * The read API of the two analytics apps (NestJS and Koa) over one seeded database: each query is sent
 * to both and must get the same status and the same body; the expected results are checked once. An
 * admin reads everything; anyone else what it sent (the contract's "Ownership": Koa decides with Cedar,
 * Nest with Gatehouse's built-in rules).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatehouseOptions } from '@gatehouse/core';
import { openTelemetryStore, parseBatch, type TelemetryStore } from '@gatehouse/example-telemetry-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, getJson, type Json } from './helpers/http.js';
import { type RunningApp, startInProcess } from './helpers/in-process.js';

const READER = 'analytics-reader-key-1';
const OPS = 'analytics-ops-key-2';
const EXPORTER = 'analytics-exporter-key-3';
const HOUR = 3600_000;
const now = Date.now();
const at = (ms: number) => new Date(ms).toISOString();

let dir: string;
let writer: TelemetryStore;
const stores: TelemetryStore[] = [];
let nest: RunningApp;
let koa: RunningApp;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'analytics-'));
  const path = join(dir, 'telemetry.db');
  writer = openTelemetryStore({ path });
  writer.insertBatch(
    parseBatch({
      processes: [{ processId: 'web-1', name: 'web', host: 'h1', pid: 10, version: '2.0.0' }],
      logs: [
        { processId: 'web-1', timestamp: at(now - 3 * HOUR), level: 'info', message: 'started' },
        { processId: 'web-1', timestamp: at(now - 2 * HOUR), level: 'warn', message: 'slow request' },
        { processId: 'web-1', timestamp: at(now - HOUR), level: 'error', message: 'upstream down' },
        { processId: 'web-1', timestamp: at(now - 30 * 24 * HOUR), level: 'info', message: 'last month' },
      ],
      metrics: [
        { processId: 'web-1', timestamp: at(now - 2 * HOUR), name: 'http.latency', value: 120, unit: 'ms' },
        { processId: 'web-1', timestamp: at(now - HOUR), name: 'http.latency', value: 80, unit: 'ms' },
        { processId: 'web-1', timestamp: at(now - HOUR), name: 'memory.rss', value: 5e7, unit: 'By' },
      ],
    }),
    { subject: 'gatehouse-service', issuer: 'http://127.0.0.1:4400', authType: 'oidc' },
  );
  writer.insertBatch(
    parseBatch({
      processes: [{ processId: 'worker-1', name: 'worker' }],
      logs: [{ processId: 'worker-1', timestamp: at(now - HOUR / 2), level: 'debug', message: 'tick' }],
      metrics: [{ processId: 'worker-1', timestamp: at(now - HOUR / 2), name: 'queue.depth', value: 3 }],
    }),
    { subject: 'legacy-exporter', issuer: 'api_key', authType: 'api_key' },
  );
  const gatehouse: GatehouseOptions = {
    env: false,
    apiKeys: [
      { name: 'reader', key: READER },
      { name: 'ops', key: OPS },
      // The API key that sent worker-1's records (sender legacy-exporter at api_key).
      { name: 'legacy-exporter', key: EXPORTER },
    ],
    admins: ['ops'],
  };
  for (const name of ['analytics', 'analytics-koa'] as const) {
    const store = openTelemetryStore({ path, access: 'read-only' });
    stores.push(store);
    const app = await startInProcess(name, { gatehouse, store });
    if (name === 'analytics') nest = app;
    else koa = app;
  }
});

afterAll(async () => {
  await nest?.close();
  await koa?.close();
  for (const store of stores) store.close();
  writer?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends the request to both apps, checks they agree, returns the answer. */
async function both(path: string, key = OPS, method = 'GET') {
  const [a, b] = await Promise.all(
    [nest, koa].map((app) => getJson(`${app.url}${path}`, bearer(key), { method })),
  );
  const strip = (body: Json | undefined) => {
    if (!body) return body;
    const { from: _f, to: _t, before: _b, service: _s, framework: _fw, uptimeSecs: _u, ...rest } = body;
    return rest;
  };
  expect({ status: b!.status, body: strip(b!.body) }, `${method} ${path}`).toEqual({
    status: a!.status,
    body: strip(a!.body),
  });
  expect(a!.headers.get('content-type')).toMatch(/^application\/json/);
  return a!;
}

describe('ownership: a non-admin reads only what it sent (NestJS and Koa answer alike)', () => {
  it('gives an identity that sent nothing empty lists', async () => {
    for (const path of ['/v1/processes', '/v1/logs', '/v1/metrics', '/v1/metrics/summary']) {
      const { status, body } = await both(path, READER);
      expect(status, path).toBe(200);
      expect(body, path).toMatchObject({ count: 0, truncated: false });
    }
  });

  it('gives a sender its own records only, and nothing of a process another sender sent', async () => {
    const processes = await both('/v1/processes', EXPORTER);
    expect(processes.body!.processes.map((p: Json) => p.processId)).toEqual(['worker-1']);
    expect((await both('/v1/logs', EXPORTER)).body!.entries.map((e: Json) => e.message)).toEqual(['tick']);
    expect((await both('/v1/metrics', EXPORTER)).body!.points.map((p: Json) => p.name)).toEqual([
      'queue.depth',
    ]);
    expect((await both('/v1/metrics/summary', EXPORTER)).body!.series).toEqual([
      expect.objectContaining({ processId: 'worker-1', name: 'queue.depth', count: 1 }),
    ]);
    for (const path of [
      '/v1/logs?processId=web-1',
      '/v1/metrics?processId=web-1',
      '/v1/metrics/summary?processId=web-1',
    ]) {
      expect((await both(path, EXPORTER)).body, path).toMatchObject({ count: 0 });
    }
  });

  it('lets an admin read the records of every sender', async () => {
    const { body } = await both('/v1/processes', OPS);
    expect(body!.processes.map((p: Json) => p.processId)).toEqual(['worker-1', 'web-1']);
  });
});

describe('analytics read API (NestJS and Koa answer alike)', () => {
  it('lists processes, most recently seen first, with their sender', async () => {
    const { status, body } = await both('/v1/processes');
    expect(status).toBe(200);
    expect(body).toMatchObject({ count: 2, truncated: false });
    expect(body!.processes[1]).toMatchObject({
      processId: 'web-1',
      name: 'web',
      host: 'h1',
      pid: 10,
      version: '2.0.0',
      sender: { subject: 'gatehouse-service', authType: 'oidc' },
    });
    expect((await both('/v1/processes?limit=1')).body).toMatchObject({ count: 1, truncated: true });
  });

  it('queries logs of the last 24 hours by default, newest first, by process and minimum level', async () => {
    const all = await both('/v1/logs');
    expect(all.body!.entries.map((e: Json) => e.message)).toEqual([
      'tick',
      'upstream down',
      'slow request',
      'started',
    ]);
    expect(Date.parse(all.body!.to) - Date.parse(all.body!.from)).toBe(24 * HOUR);
    const warn = await both('/v1/logs?processId=web-1&level=warn');
    expect(warn.body!.entries.map((e: Json) => e.message)).toEqual(['upstream down', 'slow request']);
    const range = `from=${at(now - 31 * 24 * HOUR)}&to=${at(now - 29 * 24 * HOUR)}`;
    expect((await both(`/v1/logs?${range}`)).body!.entries.map((e: Json) => e.message)).toEqual([
      'last month',
    ]);
    expect((await both('/v1/logs?limit=2')).body).toMatchObject({ count: 2, truncated: true });
  });

  it('queries metric points and summaries', async () => {
    const latency = await both('/v1/metrics?name=http.latency');
    expect(latency.body!.points.map((p: Json) => p.value)).toEqual([80, 120]);
    const summary = await both('/v1/metrics/summary?processId=web-1');
    expect(summary.body!.series).toEqual([
      expect.objectContaining({ name: 'http.latency', count: 2, min: 80, max: 120, avg: 100, unit: 'ms' }),
      expect.objectContaining({ name: 'memory.rss', count: 1 }),
    ]);
  });

  it.each([
    ['/v1/logs?limit=5000', 'limit'],
    ['/v1/logs?limit=ten', 'limit'],
    ['/v1/logs?level=verbose', 'level'],
    ['/v1/logs?from=yesterday', 'from'],
    ['/v1/logs?from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z', 'from'],
    ['/v1/logs?to=2020-01-01T00:00:00Z&from=2021-01-01T00:00:00Z', 'from'],
    ['/v1/logs?processid=web-1', 'processid'],
    ['/v1/logs?processId=web-1&processId=web-2', 'processId'],
    ['/v1/metrics?name=9bad', 'name'],
    ['/v1/metrics/summary?limit=3', 'limit'],
    ['/v1/processes?limit=0', 'limit'],
  ])('refuses %s with a 400 naming "%s"', async (path, field) => {
    const res = await both(path);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', field });
  });

  it('keeps retention for admins, counts with a dry run, and deletes for everyone to see', async () => {
    expect((await both('/v1/admin/retention?olderThanDays=7', READER, 'POST')).status).toBe(403);
    expect((await both('/v1/admin/retention', OPS, 'POST')).body).toMatchObject({ field: 'before' });
    const dry = await both('/v1/admin/retention?olderThanDays=7&dryRun=true', OPS, 'POST');
    expect(dry.body).toMatchObject({ dryRun: true, deleted: { logs: 1, metrics: 0, processes: 0 } });
    const status = await getJson(`${koa.url}/v1/admin/status`, bearer(OPS));
    expect(status.body!.storage.logs).toBe(5);

    const run = await getJson(`${koa.url}/v1/admin/retention?olderThanDays=7`, bearer(OPS), {
      method: 'POST',
    });
    expect(run.body).toMatchObject({ dryRun: false, deleted: { logs: 1 } });
    const after = await getJson(`${nest.url}/v1/admin/status`, bearer(OPS));
    expect(after.body).toMatchObject({ service: 'analytics', framework: 'nestjs', storage: { logs: 4 } });
  });
});
