/**
 * "Long-lived connections" (contract): the example apps as real processes on one real redis-server, with
 * a real OpenID provider (tokens that live 4 s), real `ws` and `@grpc/grpc-js` clients. `GET /v1/stream`
 * on every app: Gatehouse's handshake and welcome, refusals as HTTP answers, a query-string token
 * refused; a revocation made on one instance closes the live sockets and gRPC streams held by the others
 * within 1 s; an expired token closes them; batches streamed to ingestion (WebSocket and gRPC) reach the
 * dashboards subscribed on the analytics apps that may read them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { hasRedis, RedisServer } from '@gatehouse/testkit';
import {
  type ClientDuplexStream,
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import {
  bearerProtocol,
  type Connected,
  closed,
  connect,
  nextMessage,
} from '../../../packages/core/test/connections/fixture.js';
import { INGEST_PROTO, PROTO_OPTIONS } from '../../ingestion/src/grpc.js';
import { type RunningProcess, startApp } from './helpers/processes.js';
import { serviceToken } from './helpers/tokens.js';

const KEYS = {
  admin: 'admin-key-0123456789',
  svc: 'svc-key-0123456789ab',
  other: 'other-key-0123456789',
  doomed: 'doomed-key-012345678',
};
const NAMES = ['ingestion', 'ingestion-2', 'analytics', 'analytics-koa'] as const;

describe.skipIf(!hasRedis)('long-lived connections on the example apps (processes, one Redis)', () => {
  let redis: RedisServer;
  let idp: DevIdp;
  let dataDir: string;
  const apps = new Map<(typeof NAMES)[number], RunningProcess & { grpc?: string }>();
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    idp = await startDevIdp({ accessTokenTtlSecs: 4 });
    dataDir = mkdtempSync(join(tmpdir(), 'long-lived-'));
    const env = {
      TELEMETRY_DATA_DIR: dataDir,
      GATEHOUSE_API_KEYS: JSON.stringify(Object.entries(KEYS).map(([name, key]) => ({ name, key }))),
      GATEHOUSE_ADMINS: '["admin"]',
      // No clock tolerance: a socket closes right at its token's exp.
      GATEHOUSE_OIDC_CONFIG: JSON.stringify({
        issuers: [{ issuer: idp.issuer, audience: idp.audience }],
        clock_tolerance_secs: 0,
      }),
      GATEHOUSE_REDIS_URL: redis.url,
    };
    const withGrpc = (app: RunningProcess) => ({ ...app, grpc: /gRPC on (\S+)\)/.exec(app.stdout())?.[1] });
    // ingestion first: it creates the database the analytics apps open read-only.
    apps.set('ingestion', withGrpc(await startApp('ingestion', env)));
    const [second, nest, koa] = await Promise.all([
      startApp('ingestion', env),
      startApp('analytics', env),
      startApp('analytics-koa', env),
    ]);
    apps.set('ingestion-2', withGrpc(second));
    apps.set('analytics', nest);
    apps.set('analytics-koa', koa);
  }, 120_000);

  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.stop()));
    await idp?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const streamUrl = (name: (typeof NAMES)[number]) =>
    `${apps.get(name)!.url.replace('http:', 'ws:')}/v1/stream`;
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  function opened(result: Connected): WebSocket {
    if (!result.ok) throw new Error(`refused with ${result.status}: ${JSON.stringify(result.body)}`);
    cleanups.push(() => result.ws.terminate());
    return result.ws;
  }

  function ingestStream(name: 'ingestion' | 'ingestion-2', token: string) {
    const definition = loadPackageDefinition(loadSync(INGEST_PROTO, PROTO_OPTIONS)) as GrpcObject;
    const Ingestion = ((definition.telemetry as GrpcObject).v1 as GrpcObject)
      .Ingestion as ServiceClientConstructor;
    const client = new Ingestion(apps.get(name)!.grpc!, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const call = client.Ingest!(metadata) as ClientDuplexStream<unknown, Record<string, unknown>>;
    const answers: Record<string, unknown>[] = [];
    call.on('data', (answer: Record<string, unknown>) => answers.push(answer));
    const ended = new Promise<ServiceError>((resolve) =>
      call.on('error', (err: ServiceError) => resolve(err)),
    );
    cleanups.push(() => {
      call.cancel();
      client.close();
    });
    return { call, answers, ended };
  }

  it.each(NAMES)('%s: welcome first, the browser carrier, and refusals as HTTP answers', async (name) => {
    const url = streamUrl(name);
    const keyed = await connect(url, bearer(KEYS.svc));
    expect(keyed.ok && keyed.first).toEqual({
      type: 'welcome',
      subject: 'svc',
      issuer: 'api_key',
      authType: 'api_key',
    });
    opened(keyed);
    const token = await serviceToken(idp.issuer, 'api:read');
    const browser = opened(await connect(url, { protocols: ['gatehouse.v1', bearerProtocol(token)] }));
    expect(browser.protocol).toBe('gatehouse.v1');
    for (const refused of [await connect(url), await connect(`${url}?access_token=${token}`)]) {
      expect(refused).toMatchObject({ ok: false, status: 401, body: { error: 'missing_credentials' } });
      expect(!refused.ok && refused.headers['www-authenticate']).toMatch(/^Bearer realm="/);
    }
    const bad = await connect(url, bearer('not-a-key-of-this-service'));
    expect(bad).toMatchObject({ ok: false, status: 401, body: { error: 'invalid_token' } });
  });

  it('a revocation made on one instance closes sockets and a gRPC stream on the others within 1 s', async () => {
    const sockets = await Promise.all(
      ['ingestion', 'analytics', 'analytics-koa'].map(async (name) =>
        opened(await connect(streamUrl(name as (typeof NAMES)[number]), bearer(KEYS.doomed))),
      ),
    );
    const stream = ingestStream('ingestion', KEYS.doomed);
    stream.call.write({ logs: [{ processId: 'doomed', level: 'info', message: 'before' }] });
    await expect.poll(() => stream.answers.length).toBe(1);
    const ends = sockets.map((ws) => closed(ws));
    const revokedAt = Date.now();
    const made = await fetch(`${apps.get('ingestion-2')!.url}/v1/admin/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'doomed' }),
    });
    expect(made.status).toBe(201);
    for (const end of await Promise.all(ends)) {
      expect(end).toMatchObject({ code: 4001, reason: 'revoked' });
      expect(Date.now() - revokedAt).toBeLessThan(1000);
    }
    const err = await stream.ended;
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(err.code).toBe(status.UNAUTHENTICATED);
    expect(err.details).toBe('revoked');
  });

  it('an expired token closes the sockets (4001 "expired") and ends the gRPC stream, not before exp', async () => {
    const token = await serviceToken(idp.issuer, 'api:read');
    const exp = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number })
      .exp;
    const sockets = await Promise.all(
      NAMES.map(async (name) => opened(await connect(streamUrl(name), bearer(token)))),
    );
    const ends = sockets.map((ws) => closed(ws));
    const stream = ingestStream('ingestion-2', token);
    for (const end of await Promise.all(ends)) expect(end).toMatchObject({ code: 4001, reason: 'expired' });
    const err = await stream.ended;
    expect(err.code).toBe(status.UNAUTHENTICATED);
    expect(err.details).toBe('expired');
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    expect(Date.now()).toBeLessThan(exp * 1000 + 1500);
  });

  it('batches streamed to ingestion (WebSocket and gRPC) reach the dashboards that may read them', async () => {
    const subscribe = async (name: 'analytics' | 'analytics-koa', key: string) => {
      const ws = opened(await connect(streamUrl(name), bearer(key)));
      const updates: { type: string; entries?: { message: string }[]; points?: { name: string }[] }[] = [];
      const answer = nextMessage(ws);
      ws.send(JSON.stringify({ type: 'subscribe' }));
      expect(await answer).toEqual({ type: 'subscribed', streams: ['logs', 'metrics'] });
      ws.on('message', (data) => updates.push(JSON.parse(String(data))));
      return updates;
    };
    const dashboards = {
      nestOwn: await subscribe('analytics', KEYS.svc),
      koaOwn: await subscribe('analytics-koa', KEYS.svc),
      koaAdmin: await subscribe('analytics-koa', KEYS.admin),
      nestOther: await subscribe('analytics', KEYS.other),
    };
    const marker = `live-${Date.now()}`;
    const sender = opened(await connect(streamUrl('ingestion'), bearer(KEYS.svc)));
    const ingested = nextMessage(sender);
    sender.send(JSON.stringify({ logs: [{ processId: 'p-live', level: 'warn', message: marker }] }));
    expect(await ingested).toMatchObject({
      type: 'ingested',
      accepted: { logs: 1 },
      sender: { subject: 'svc' },
    });
    const refusedBatch = nextMessage(sender);
    sender.send(JSON.stringify({ logs: [{ processId: 'p-live', level: 'loud' }] }));
    expect(await refusedBatch).toMatchObject({ type: 'error', error: 'invalid_request' });

    const stream = ingestStream('ingestion-2', KEYS.svc);
    stream.call.write({
      metrics: [
        { processId: 'p-live', name: 'cpu.load', value: 0.5, attributes: { core: { numberValue: 1 } } },
      ],
    });
    await expect
      .poll(() => stream.answers[0])
      .toMatchObject({ accepted: { metrics: 1 }, sender: { subject: 'svc' } });
    stream.call.write({ metrics: [{ processId: 'p-live', name: 'bad name!', value: 1 }] });
    await expect.poll(() => stream.answers[1]).toMatchObject({ error: 'invalid_request' });

    const got = (updates: (typeof dashboards)['nestOwn']) => ({
      log: updates.some((u) => u.type === 'logs' && u.entries!.some((e) => e.message === marker)),
      metric: updates.some((u) => u.type === 'metrics' && u.points!.some((p) => p.name === 'cpu.load')),
    });
    for (const updates of [dashboards.nestOwn, dashboards.koaOwn, dashboards.koaAdmin]) {
      await expect.poll(() => got(updates), { timeout: 3000 }).toEqual({ log: true, metric: true });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(got(dashboards.nestOther)).toEqual({ log: false, metric: false });
  });
});
