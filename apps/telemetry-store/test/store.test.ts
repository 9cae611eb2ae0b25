import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../src/errors.js';
import type { Sender } from '../src/records.js';
import { openTelemetryStore, type TelemetryStore } from '../src/store.js';
import { parseBatch } from '../src/validate/batch.js';
import { parseLogQuery, parseMetricQuery, parseMetricSummaryQuery } from '../src/validate/query.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const HOUR = 3600_000;
const at = (ms: number) => new Date(ms).toISOString();
const service: Sender = { subject: 'gatehouse-service', issuer: 'http://127.0.0.1:4400', authType: 'oidc' };
const key: Sender = { subject: 'legacy-exporter', issuer: 'api_key', authType: 'api_key' };

let dir: string;
let stores: TelemetryStore[];
const open = (access: 'read-write' | 'read-only' = 'read-write', now = () => NOW) => {
  const store = openTelemetryStore({ path: join(dir, 'data', 'telemetry.db'), access, now });
  stores.push(store);
  return store;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'telemetry-store-'));
  stores = [];
});
afterEach(() => {
  for (const store of stores) store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sample = parseBatch(
  {
    processes: [{ processId: 'web-1', name: 'web', pid: 7, attributes: { region: 'eu' } }],
    logs: [
      { processId: 'web-1', timestamp: at(NOW - 2 * HOUR), level: 'debug', message: 'old' },
      { processId: 'web-1', timestamp: at(NOW - HOUR), level: 'error', message: 'boom' },
      { processId: 'worker-1', timestamp: at(NOW - HOUR / 2), level: 'info', message: 'tick' },
    ],
    metrics: [
      { processId: 'web-1', timestamp: at(NOW - 2 * HOUR), name: 'cpu', value: 10, unit: '%' },
      { processId: 'web-1', timestamp: at(NOW - HOUR), name: 'cpu', value: 30, unit: '%' },
      { processId: 'web-1', timestamp: at(NOW - HOUR), name: 'rss', value: 1e6 },
    ],
  },
  NOW,
);

describe('TelemetryStore', () => {
  it('creates its folder and stores a batch stamped with the sender', () => {
    const store = open();
    const result = store.insertBatch(sample, service);
    expect(result.accepted).toEqual({ processes: 1, logs: 3, metrics: 3 });
    expect(result.batchId).toMatch(/^[0-9a-f-]{36}$/);
    const { entries } = store.queryLogs(parseLogQuery({}, NOW));
    expect(entries.map((e) => e.message)).toEqual(['tick', 'boom', 'old']);
    expect(entries[0]).toMatchObject({ sender: service, receivedAt: at(NOW), level: 'info' });
    expect(store.listProcesses({ limit: 10 }).processes).toEqual([
      {
        processId: 'web-1',
        name: 'web',
        pid: 7,
        attributes: { region: 'eu' },
        sender: service,
        firstSeen: at(NOW),
        lastSeen: at(NOW),
      },
    ]);
  });

  it('filters logs by process and minimum level, and metrics by name, newest first', () => {
    const store = open();
    store.insertBatch(sample, service);
    const logs = store.queryLogs(parseLogQuery({ processId: 'web-1', level: 'warn' }, NOW));
    expect(logs.entries.map((e) => e.message)).toEqual(['boom']);
    const cpu = store.queryMetrics(parseMetricQuery({ name: 'cpu' }, NOW));
    expect(cpu.points.map((p) => p.value)).toEqual([30, 10]);
    const range = store.queryMetrics(parseMetricQuery({ from: at(NOW - 90 * 60_000), to: at(NOW) }, NOW));
    expect(range.points.map((p) => p.name).sort()).toEqual(['cpu', 'rss']);
  });

  it('says when a limit cut the answer', () => {
    const store = open();
    store.insertBatch(sample, service);
    expect(store.queryLogs({ ...parseLogQuery({}, NOW), limit: 2 })).toMatchObject({ truncated: true });
    expect(store.queryLogs({ ...parseLogQuery({}, NOW), limit: 3 })).toMatchObject({ truncated: false });
  });

  it('summarises each metric of each process', () => {
    const store = open();
    store.insertBatch(sample, service);
    const { series } = store.summarizeMetrics(parseMetricSummaryQuery({}, NOW));
    expect(series).toEqual([
      {
        processId: 'web-1',
        name: 'cpu',
        unit: '%',
        count: 2,
        min: 10,
        max: 30,
        avg: 20,
        first: at(NOW - 2 * HOUR),
        last: at(NOW - HOUR),
      },
      expect.objectContaining({ name: 'rss', count: 1 }),
    ]);
  });

  it('keeps one description per process and sender, updated by later batches', () => {
    let now = NOW;
    const store = open('read-write', () => now);
    store.insertBatch(sample, service);
    store.insertBatch(sample, key);
    now += HOUR;
    store.insertBatch(parseBatch({ processes: [{ processId: 'web-1', name: 'web v2' }] }, now), service);
    now += HOUR;
    store.insertBatch(
      parseBatch({ logs: [{ processId: 'web-1', level: 'info', message: 'alive' }] }, now),
      key,
    );
    const { processes } = store.listProcesses({ limit: 10 });
    expect(processes.map((p) => [p.sender.subject, p.name, p.firstSeen, p.lastSeen])).toEqual([
      ['legacy-exporter', 'web', at(NOW), at(NOW + 2 * HOUR)],
      ['gatehouse-service', 'web v2', at(NOW), at(NOW + HOUR)],
    ]);
  });

  it('survives being closed and opened again', () => {
    open().insertBatch(sample, service);
    stores.pop()?.close();
    expect(open().stats()).toMatchObject({ processes: 1, logs: 3, metrics: 3 });
  });

  it('lets a read-only store read what a writer commits, and refuses writes on its reader', () => {
    const writer = open();
    const reader = open('read-only');
    expect(reader.stats().logs).toBe(0);
    writer.insertBatch(sample, service);
    expect(reader.stats()).toMatchObject({
      logs: 3,
      metrics: 3,
      oldest: at(NOW - 2 * HOUR),
      newest: at(NOW - HOUR / 2),
    });
    expect(() => reader.insertBatch(sample, service)).not.toThrow(); // writes go to a writable connection
    expect(reader.stats().logs).toBe(6);
  });

  it('applies retention: a dry run counts, a real run deletes', () => {
    const store = open();
    store.insertBatch(sample, service);
    const before = NOW - 90 * 60_000;
    expect(store.applyRetention({ before, dryRun: true })).toEqual({
      before: at(before),
      dryRun: true,
      deleted: { processes: 0, logs: 1, metrics: 1 },
    });
    expect(store.stats()).toMatchObject({ logs: 3, metrics: 3 });
    expect(store.applyRetention({ before, dryRun: false }).deleted).toEqual({
      processes: 0,
      logs: 1,
      metrics: 1,
    });
    expect(store.stats()).toMatchObject({ logs: 2, metrics: 2, processes: 1 });
    expect(store.applyRetention({ before: NOW + 1, dryRun: false }).deleted).toEqual({
      processes: 1,
      logs: 2,
      metrics: 2,
    });
  });

  it('deletes in chunks larger than one', () => {
    const store = open();
    const logs = Array.from({ length: 1000 }, (_, i) => ({
      processId: 'p',
      level: 'info',
      message: `m${i}`,
      timestamp: at(NOW - HOUR),
    }));
    for (let i = 0; i < 12; i++) store.insertBatch(parseBatch({ logs }, NOW), service);
    expect(store.applyRetention({ before: NOW, dryRun: false }).deleted.logs).toBe(12_000);
  });

  it('knows every sender, and reads only the senders a read may see', () => {
    const store = open();
    store.insertBatch(sample, service);
    store.insertBatch(sample, key);
    expect(store.senders()).toEqual([key, service]);
    const only = [{ subject: key.subject, issuer: key.issuer }];
    const logs = store.queryLogs(parseLogQuery({}, NOW), only).entries;
    expect(logs).toHaveLength(3);
    expect(logs.every((e) => e.sender.subject === key.subject)).toBe(true);
    expect(store.listProcesses({ limit: 10 }, only).processes.map((p) => p.sender)).toEqual([key]);
    expect(store.queryMetrics(parseMetricQuery({ name: 'cpu' }, NOW), only).points).toHaveLength(2);
    // The summary is over the readable points only (each sender sent cpu 10 and 30).
    expect(store.summarizeMetrics(parseMetricSummaryQuery({}, NOW), only).series[0]).toMatchObject({
      name: 'cpu',
      count: 2,
    });
    expect(store.summarizeMetrics(parseMetricSummaryQuery({}, NOW)).series[0]).toMatchObject({ count: 4 });
    // The same subject at another issuer is someone else; nobody readable, nothing.
    expect(
      store.queryLogs(parseLogQuery({}, NOW), [{ subject: key.subject, issuer: 'other' }]).entries,
    ).toEqual([]);
    expect(store.listProcesses({ limit: 10 }, []).processes).toEqual([]);
    expect(store.summarizeMetrics(parseMetricSummaryQuery({}, NOW), []).series).toEqual([]);
  });

  it('brings a version 1 database up to date, its senders found in its records', () => {
    const path = join(dir, 'data', 'telemetry.db');
    open().insertBatch(sample, service);
    for (const store of stores.splice(0)) store.close();
    const db = new BetterSqlite3(path);
    db.exec('DROP TABLE senders');
    db.pragma('user_version = 1');
    db.close();
    const store = open('read-only');
    expect(store.senders()).toEqual([service]);
  });

  it('refuses a database from a newer schema', () => {
    open().close();
    stores.pop();
    const db = new BetterSqlite3(join(dir, 'data', 'telemetry.db'));
    db.pragma('user_version = 99');
    db.close();
    expect(() => open()).toThrow(StoreError);
    expect(() => open()).toThrow(/schema version 99/);
  });

  it('says which file it cannot open', () => {
    const file = join(dir, 'file');
    openTelemetryStore({ path: file }).close();
    const below = join(file, 'telemetry.db');
    expect(() => openTelemetryStore({ path: below })).toThrow(StoreError);
    expect(() => openTelemetryStore({ path: below })).toThrow(file);
  });
});
