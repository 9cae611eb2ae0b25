import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTelemetryStore, type TelemetryStore } from '@gatehouse/example-telemetry-store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';

const SERVICE_KEY = 'svc-key-0123456789';
const ADMIN_KEY = 'ops-key-0123456789';
let dir: string;
let store: TelemetryStore;
let server: Server;
let base: string;
const unexpected = vi.fn();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingestion-'));
  store = openTelemetryStore({ path: join(dir, 'telemetry.db') });
  const gatehouse = {
    env: false as const,
    apiKeys: [
      { name: 'svc', key: SERVICE_KEY },
      { name: 'ops', key: ADMIN_KEY },
    ],
    admins: ['ops'],
  };
  server = createApp({ gatehouse, store, onUnexpectedError: unexpected }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const json = { 'content-type': 'application/json' };
// biome-ignore lint/suspicious/noExplicitAny: test reads of JSON answers
const jsonOf = (res: Response) => res.json() as Promise<Record<string, any>>;
const ingest = (body: string, headers: Record<string, string> = { ...bearer(SERVICE_KEY), ...json }) =>
  fetch(`${base}/v1/ingest`, { method: 'POST', headers, body });

describe('ingestion app', () => {
  it('serves /health without credentials', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', service: 'ingestion' });
  });

  it.each([
    ['GET', '/v1/whoami'],
    ['GET', '/v1/admin/status'],
    ['GET', '/no/such/route'],
    ['POST', '/v1/ingest'],
    ['GET', '/HEALTH'],
  ])('answers %s %s without credentials with 401 and a Bearer challenge', async (method, path) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: json,
      body: method === 'POST' ? '{bad' : undefined,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ingestion"');
    expect((await jsonOf(res)).error).toBe('missing_credentials');
  });

  it('never reads a key from the query string', async () => {
    const res = await fetch(`${base}/v1/whoami?access_token=${SERVICE_KEY}`);
    expect(res.status).toBe(401);
  });

  it('answers whoami for an API key', async () => {
    const res = await fetch(`${base}/v1/whoami`, { headers: bearer(SERVICE_KEY) });
    expect(await res.json()).toEqual({
      subject: 'svc',
      issuer: 'api_key',
      authType: 'api_key',
      isAdmin: false,
      scopes: [],
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('keeps every /v1/admin path for admins', async () => {
    const status = (path: string, key: string) =>
      fetch(`${base}${path}`, { headers: bearer(key) }).then((r) => r.status);
    expect(await status('/v1/admin/status', SERVICE_KEY)).toBe(403);
    expect(await status('/v1/admin/unknown', SERVICE_KEY)).toBe(403);
    expect(await status('/v1/admin/status', ADMIN_KEY)).toBe(200);
    expect(await status('/v1/admin/unknown', ADMIN_KEY)).toBe(404);
  });

  it('stores a batch stamped with the sender', async () => {
    const res = await ingest(
      JSON.stringify({
        processes: [{ processId: 'web-1', name: 'web' }],
        logs: [{ processId: 'web-1', level: 'warn', message: 'disk 91%' }],
        metrics: [{ processId: 'web-1', name: 'disk.used', value: 0.91 }],
      }),
    );
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body).toMatchObject({
      accepted: { processes: 1, logs: 1, metrics: 1 },
      sender: { subject: 'svc', issuer: 'api_key', authType: 'api_key' },
    });
    const logs = store.queryLogs({ from: 0, to: Date.now() + 1, limit: 10 });
    expect(logs.entries[0]).toMatchObject({ message: 'disk 91%', sender: { subject: 'svc' } });
    const admin = await fetch(`${base}/v1/admin/status`, { headers: bearer(ADMIN_KEY) });
    expect((await jsonOf(admin)).storage).toMatchObject({ processes: 1, logs: 1, metrics: 1 });
  });

  it.each([
    ['a record without a level', '{"logs":[{"processId":"a","message":"m"}]}', 'logs[0].level'],
    ['an empty batch', '{}', '(body)'],
    ['a JSON array', '[]', '(body)'],
    [
      'a bad timestamp',
      '{"metrics":[{"processId":"a","name":"m","value":1,"timestamp":"now"}]}',
      'metrics[0].timestamp',
    ],
  ])('refuses %s with a 400 naming the field', async (_name, body, field) => {
    const res = await ingest(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', field });
  });

  it.each([
    ['malformed JSON', () => ingest('{"logs": ['), 400, 'invalid_json'],
    ['a JSON string', () => ingest('"text"'), 400, 'invalid_json'],
    [
      'no body',
      () => fetch(`${base}/v1/ingest`, { method: 'POST', headers: bearer(SERVICE_KEY) }),
      400,
      'invalid_request',
    ],
    [
      'another media type',
      () => ingest('a=1', { ...bearer(SERVICE_KEY), 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    ],
    [
      'a charset other than UTF-8',
      () => ingest('{}', { ...bearer(SERVICE_KEY), 'content-type': 'application/json; charset=latin1' }),
      415,
      'unsupported_media_type',
    ],
    ['a body over 1 MiB', () => ingest(`{"logs":[${'{},'.repeat(400_000)}{}]}`), 413, 'payload_too_large'],
    ['a wrong method', () => fetch(`${base}/v1/ingest`, { headers: bearer(SERVICE_KEY) }), 404, 'not_found'],
    [
      'a badly encoded path',
      () => fetch(`${base}/v1/%E0%A4%A`, { headers: bearer(SERVICE_KEY) }),
      404,
      'not_found',
    ],
  ])('answers %s with a JSON client error', async (_name, send, status, error) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await jsonOf(res)).error).toBe(error);
  });

  it('answers an unexpected failure with a JSON 500 that says nothing more, and reports it', async () => {
    const spy = vi.spyOn(store, 'insertBatch').mockImplementationOnce(() => {
      throw new Error('disk on fire');
    });
    const res = await ingest('{"logs":[{"processId":"a","level":"info","message":"m"}]}');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: 'internal_error',
      error_description: 'an unexpected error occurred',
    });
    expect(unexpected).toHaveBeenCalledWith(expect.objectContaining({ message: 'disk on fire' }));
    spy.mockRestore();
  });
});
