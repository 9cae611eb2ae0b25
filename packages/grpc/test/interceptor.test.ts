import { ConfigError, createGatehouse, type Gatehouse, type GatehouseOptions } from '@gatehouse/core';
import { type ServiceError, status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ath, makeDpopKey, makeProof } from '../../core/test/helpers/dpop.js';
import { KeyServer } from '../../core/test/helpers/key-server.js';
import { type GrpcGateOptions, gatehouseInterceptor } from '../src/index.js';
import { metadata, type Served, serve, unary } from './helpers.js';

const API_KEY = { name: 'exporter', key: 'exporter-key-0123456789' };

let issuer: KeyServer;
beforeAll(async () => {
  issuer = await KeyServer.start();
});
afterAll(async () => {
  await issuer.close();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function gateFor(options: GatehouseOptions = {}): Gatehouse {
  const gate = createGatehouse({
    oidc: { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] },
    apiKeys: [API_KEY],
    admins: ['root'],
    ...options,
  });
  cleanups.push(() => gate.close());
  return gate;
}

async function start(
  gateOptions: GatehouseOptions = {},
  options: GrpcGateOptions = {},
): Promise<Served & { gate: Gatehouse }> {
  const gate = gateFor(gateOptions);
  const served = await serve(gate, options);
  cleanups.push(() => served.close());
  return { ...served, gate };
}

const bearer = (token: string) => metadata({ authorization: `Bearer ${token}` });

describe('the grpc-js server interceptor (real server, real client)', () => {
  it('admits a Bearer token or an API key and gives handlers the identity', async () => {
    const { telemetry } = await start();
    const token = await issuer.sign({ sub: 'alice' });
    expect(await unary(telemetry, 'WhoAmI', bearer(token))).toEqual({
      ok: true,
      value: { subject: 'alice', auth_type: 'oidc' },
    });
    expect(await unary(telemetry, 'WhoAmI', bearer(API_KEY.key))).toEqual({
      ok: true,
      value: { subject: API_KEY.name, auth_type: 'api_key' },
    });
  });

  it('ends a call without valid credentials with UNAUTHENTICATED and the RFC 6750 challenge in the trailers', async () => {
    const { telemetry } = await start({ realm: 'telemetry' });
    const none = await unary(telemetry, 'WhoAmI');
    expect(none).toMatchObject({
      ok: false,
      code: status.UNAUTHENTICATED,
      details: 'bearer credentials required',
    });
    if (!none.ok) {
      expect(none.trailers['www-authenticate']).toMatch(/^Bearer realm="telemetry"/);
      expect(none.trailers['gatehouse-error']).toBe('missing_credentials');
    }
    const forged = (await issuer.sign()).replace(/\.[^.]+$/, '.AAAA');
    const bad = await unary(telemetry, 'WhoAmI', bearer(forged));
    expect(bad).toMatchObject({ ok: false, code: status.UNAUTHENTICATED });
    if (!bad.ok) {
      expect(bad.trailers['www-authenticate']).toContain('error="invalid_token"');
      expect(JSON.stringify(bad)).not.toContain(forged);
    }
  });

  it('applies per-method requirements: admin and scopes give PERMISSION_DENIED; public methods need nothing', async () => {
    const { telemetry, health } = await start(
      {},
      {
        policy: { scopes: ['telemetry:read'] },
        methods: {
          '/telemetry.v1.Telemetry/AdminStatus': { admin: true },
          '/telemetry.v1.Health/*': 'public',
        },
      },
    );
    const reader = await issuer.sign({ sub: 'reader', scope: 'telemetry:read' });
    const stranger = await issuer.sign({ sub: 'stranger', scope: 'other' });
    expect(await unary(telemetry, 'WhoAmI', bearer(reader))).toMatchObject({ ok: true });
    const unscoped = await unary(telemetry, 'WhoAmI', bearer(stranger));
    expect(unscoped).toMatchObject({ ok: false, code: status.PERMISSION_DENIED });
    if (!unscoped.ok) expect(unscoped.trailers['www-authenticate']).toContain('scope="telemetry:read"');
    // The method's own policy replaces the default: an admin needs no scope there, a reader is denied.
    const root = await issuer.sign({ sub: 'root' });
    expect(await unary(telemetry, 'AdminStatus', bearer(root))).toMatchObject({
      ok: true,
      value: { subject: 'root' },
    });
    expect(await unary(telemetry, 'AdminStatus', bearer(reader))).toMatchObject({
      ok: false,
      code: status.PERMISSION_DENIED,
    });
    expect(await unary(health, 'Check')).toEqual({ ok: true, value: { subject: '', auth_type: '' } });
  });

  it("runs a method's authorization step: the backend's denial is PERMISSION_DENIED access_denied", async () => {
    const { telemetry } = await start(
      { authz: { backend: 'rules', rules: [{ id: 'admins', action: '*', allow: { admin: true } }] } },
      {
        methods: {
          '/telemetry.v1.Telemetry/WhoAmI': {
            authorize: { action: 'read', resource: { type: 'telemetry' } },
          },
        },
      },
    );
    const root = await issuer.sign({ sub: 'root' });
    expect(await unary(telemetry, 'WhoAmI', bearer(root))).toMatchObject({
      ok: true,
      value: { subject: 'root' },
    });
    const denied = await unary(telemetry, 'WhoAmI', bearer(await issuer.sign({ sub: 'alice' })));
    expect(denied).toMatchObject({ ok: false, code: status.PERMISSION_DENIED });
    if (!denied.ok) expect(denied.trailers['gatehouse-error']).toBe('access_denied');
  });

  it('refuses a malformed method key when it is built, naming it', () => {
    expect(() => gatehouseInterceptor(gateFor(), { methods: { 'Telemetry.WhoAmI': 'public' } })).toThrow(
      ConfigError,
    );
    expect(() => gatehouseInterceptor(gateFor(), { methods: { 'Telemetry.WhoAmI': 'public' } })).toThrow(
      /methods\["Telemetry.WhoAmI"\]/,
    );
  });

  it('maps the rate limit to RESOURCE_EXHAUSTED and an unreachable issuer to UNAVAILABLE, with Retry-After', async () => {
    const { telemetry } = await start({ rateLimit: { requests: 1, windowSecs: 60 } });
    expect(await unary(telemetry, 'WhoAmI', bearer(API_KEY.key))).toMatchObject({ ok: true });
    const limited = await unary(telemetry, 'WhoAmI', bearer(API_KEY.key));
    expect(limited).toMatchObject({ ok: false, code: status.RESOURCE_EXHAUSTED });
    if (!limited.ok) {
      expect(Number(limited.trailers['retry-after'])).toBeGreaterThan(0);
      expect(limited.trailers.ratelimit).toMatch(/^"default";r=0;t=\d+$/);
    }
    const fresh = await start();
    issuer.behaviour = 'error';
    try {
      const down = await unary(fresh.telemetry, 'WhoAmI', bearer(await issuer.sign()));
      expect(down).toMatchObject({ ok: false, code: status.UNAVAILABLE });
      if (!down.ok) expect(Number(down.trailers['retry-after'])).toBeGreaterThan(0);
    } finally {
      issuer.behaviour = 'ok';
    }
  });

  it('ends a live server stream with UNAUTHENTICATED "revoked" within 1 s of the revocation, and cancels the handler', async () => {
    const { telemetry, gate, watchCancelled } = await start();
    const token = await issuer.sign({ sub: 'bob', jti: 'grpc-1' });
    const stream = telemetry.Watch({}, bearer(token));
    const first = await new Promise((resolve) => stream.once('data', resolve));
    expect(first).toEqual({ subject: 'bob', auth_type: 'oidc' });
    const ended = new Promise<ServiceError>((resolve) => stream.once('error', resolve));
    const revokedAt = Date.now();
    await gate.revocations.revoke({ jti: 'grpc-1', issuer: issuer.issuer });
    const err = await ended;
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(err.code).toBe(status.UNAUTHENTICATED);
    expect(err.details).toBe('revoked');
    expect(err.metadata.get('www-authenticate')[0]).toContain('error="invalid_token"');
    await expect.poll(() => watchCancelled).toEqual([true]);
  });

  it('ends a client stream with UNAUTHENTICATED "expired" when its token expires', async () => {
    const { telemetry } = await start({
      oidc: { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }], clockToleranceSecs: 0 },
    });
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await issuer.sign({ sub: 'carol', exp });
    const outcome = new Promise<{ err: ServiceError | null; at: number }>((resolve) => {
      const call = telemetry.Ingest(bearer(token), (err: ServiceError | null) =>
        resolve({ err, at: Date.now() }),
      );
      call.write({ count: 1 });
    });
    const { err, at } = await outcome;
    expect(err?.code).toBe(status.UNAUTHENTICATED);
    expect(err?.details).toBe('expired');
    expect(at).toBeGreaterThanOrEqual(exp * 1000);
    expect(at).toBeLessThan(exp * 1000 + 1500);
  });

  it('applies DPoP as on HTTP: a proof of POST to the method URL binds the call; a bound token sent as Bearer is refused', async () => {
    const served = await start();
    const key = await makeDpopKey();
    const token = await issuer.sign({ sub: 'dpop-user', cnf: { jkt: key.jkt } });
    const htu = `http://${served.address}/telemetry.v1.Telemetry/WhoAmI`;
    const proof = await makeProof(key, { htm: 'POST', htu, ath: ath(token) });
    expect(
      await unary(served.telemetry, 'WhoAmI', metadata({ authorization: `DPoP ${token}`, dpop: proof })),
    ).toEqual({
      ok: true,
      value: { subject: 'dpop-user', auth_type: 'oidc' },
    });
    const elsewhere = await makeProof(key, { htm: 'POST', htu: `${htu}X`, ath: ath(token) });
    expect(
      await unary(served.telemetry, 'WhoAmI', metadata({ authorization: `DPoP ${token}`, dpop: elsewhere })),
    ).toMatchObject({
      ok: false,
      code: status.UNAUTHENTICATED,
      trailers: { 'gatehouse-error': 'invalid_dpop_proof' },
    });
    expect(await unary(served.telemetry, 'WhoAmI', bearer(token))).toMatchObject({
      ok: false,
      code: status.UNAUTHENTICATED,
    });
  });
});
