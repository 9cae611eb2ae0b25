import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthProvider,
  createAuthContext,
  DecisionRecorder,
  EMPTY_INSIGHT,
  InsufficientScopeError,
  InvalidRequestError,
  IssuerUnavailableError,
  METRIC_NAMES,
  MissingCredentialsError,
  MultiAuthProvider,
  OidcAuthProvider,
  TokenExpiredError,
  UnknownApiKeyError,
  UnknownIssuerError,
} from '../src/index.js';
import { FixedClock } from './helpers/clock.js';
import { KeyServer } from './helpers/key-server.js';
import { TestMeter } from './helpers/meter.js';

const ISSUER = 'https://idp.example.com';
const oidcUser = createAuthContext({ subject: 'alice', issuer: ISSUER, authType: 'oidc' });
const keyUser = createAuthContext({ subject: 'svc', issuer: 'api_key', authType: 'api_key' });

describe('DecisionRecorder', () => {
  let meter: TestMeter;
  const recorders: DecisionRecorder[] = [];
  const recorder = (options: Partial<ConstructorParameters<typeof DecisionRecorder>[0]> = {}) => {
    const r = new DecisionRecorder({
      issuers: [ISSUER],
      insight: () => EMPTY_INSIGHT,
      meterProvider: meter.meterProvider,
      ...options,
    });
    recorders.push(r);
    return r;
  };

  beforeEach(() => {
    meter = new TestMeter();
  });
  afterEach(async () => {
    for (const r of recorders.splice(0)) r.close();
    await meter.shutdown();
  });

  it('counts accepted decisions by auth type and issuer, with code ok', async () => {
    const r = recorder();
    for (let i = 0; i < 3; i++) r.accepted(oidcUser);
    r.accepted(keyUser);
    expect(
      await meter.value(METRIC_NAMES.authTotal, {
        outcome: 'accepted',
        code: 'ok',
        auth_type: 'oidc',
        issuer: ISSUER,
      }),
    ).toBe(3);
    expect(
      await meter.value(METRIC_NAMES.authTotal, {
        outcome: 'accepted',
        code: 'ok',
        auth_type: 'api_key',
        issuer: 'api_key',
      }),
    ).toBe(1);
  });

  it('counts refusals by code, and 503s as unavailable', async () => {
    const r = recorder();
    r.refused(new TokenExpiredError(ISSUER, 1));
    r.refused(new MissingCredentialsError());
    r.refused(new InvalidRequestError('duplicate_header'));
    r.refused(new UnknownApiKeyError());
    r.refused(new IssuerUnavailableError(ISSUER, 5));
    r.refused(new InsufficientScopeError(['metrics:read'], ['metrics:read']), keyUser);
    const points = (await meter.read()).get(METRIC_NAMES.authTotal)!;
    expect(points.map((p) => ({ ...p.attributes, value: p.value }))).toEqual(
      expect.arrayContaining([
        { outcome: 'rejected', code: 'token_expired', auth_type: 'oidc', issuer: ISSUER, value: 1 },
        { outcome: 'rejected', code: 'missing_credentials', auth_type: 'none', issuer: 'none', value: 1 },
        { outcome: 'rejected', code: 'invalid_request', auth_type: 'none', issuer: 'none', value: 1 },
        { outcome: 'rejected', code: 'unknown_api_key', auth_type: 'api_key', issuer: 'api_key', value: 1 },
        { outcome: 'unavailable', code: 'issuer_unavailable', auth_type: 'oidc', issuer: ISSUER, value: 1 },
        {
          outcome: 'rejected',
          code: 'insufficient_scope',
          auth_type: 'api_key',
          issuer: 'api_key',
          value: 1,
        },
      ]),
    );
    expect(points).toHaveLength(6);
  });

  it("never turns an attacker's issuer into a label value: 1000 made-up issuers are one series", async () => {
    const r = recorder();
    for (let i = 0; i < 1000; i++) r.refused(new UnknownIssuerError(`https://evil-${i}.example`));
    r.refused(new UnknownIssuerError(undefined));
    const points = (await meter.read()).get(METRIC_NAMES.authTotal)!;
    expect(points.map((p) => ({ ...p.attributes, value: p.value }))).toEqual([
      { outcome: 'rejected', code: 'unknown_issuer', auth_type: 'oidc', issuer: 'unknown', value: 1000 },
      { outcome: 'rejected', code: 'unknown_issuer', auth_type: 'oidc', issuer: 'none', value: 1 },
    ]);
  });

  it('labels an identity from an issuer that is not configured as other, and never labels a subject', async () => {
    const r = recorder();
    const stranger = createAuthContext({
      subject: 'bob',
      issuer: 'https://custom.example',
      authType: 'oidc',
    });
    r.accepted(stranger);
    const all = [...(await meter.read()).values()].flat();
    const values = all.flatMap((p) => Object.values(p.attributes));
    expect(values).toContain('other');
    expect(values).not.toContain('bob');
    expect(values).not.toContain('https://custom.example');
  });

  it('bounds odd error codes', async () => {
    const r = recorder();
    r.refused({ code: 'Weird Code <script>', status: 401 });
    expect(
      await meter.value(METRIC_NAMES.authTotal, {
        outcome: 'rejected',
        code: 'other',
        auth_type: 'none',
        issuer: 'none',
      }),
    ).toBe(1);
  });

  it('times every decision in one histogram, without labels', async () => {
    const r = recorder();
    expect(r.timed).toBe(true);
    for (let i = 0; i < 3; i++) r.timeSince(r.start());
    const points = (await meter.read()).get(METRIC_NAMES.authDuration)!;
    expect(points).toHaveLength(1);
    expect(points[0]!.attributes).toEqual({});
    expect(points[0]!.value).toBe(3);
    expect(points[0]!.sum).toBeGreaterThanOrEqual(0);
    expect(points[0]!.sum).toBeLessThan(1);
  });

  it('counts rate-limited requests by limit and reports the revocations in force', async () => {
    const r = recorder();
    let inForce = 3;
    r.observeRevocations({ count: () => inForce });
    // A 429 refusal counts by its reason; rateLimited() is for limits enforced elsewhere.
    r.refused({ code: 'rate_limited', status: 429, reason: 'identity' }, keyUser);
    r.refused({ code: 'rate_limited', status: 429, reason: 'failed_auth' });
    r.rateLimited('identity');
    expect(await meter.value(METRIC_NAMES.rateLimitedTotal, { limit: 'identity' })).toBe(2);
    expect(await meter.value(METRIC_NAMES.rateLimitedTotal, { limit: 'failed_auth' })).toBe(1);
    expect(
      await meter.value(METRIC_NAMES.authTotal, {
        outcome: 'rejected',
        code: 'rate_limited',
        auth_type: 'api_key',
        issuer: 'api_key',
      }),
    ).toBe(1);
    expect(await meter.value(METRIC_NAMES.revocations)).toBe(3);
    inForce = 1;
    expect(await meter.value(METRIC_NAMES.revocations)).toBe(1);
  });

  it('reports every instrument, at zero, before anything happened', async () => {
    recorder();
    const read = await meter.read();
    expect(read.get(METRIC_NAMES.revocations)).toEqual([{ attributes: {}, value: 0 }]);
    expect(read.get(METRIC_NAMES.tokenCacheTotal)?.map((p) => p.value)).toEqual([0, 0]);
    expect(read.get(METRIC_NAMES.rateLimitedTotal)?.map((p) => p.value)).toEqual([0, 0]);
  });

  it('sums the gates sharing one MeterProvider, without counting a shared source twice', async () => {
    const cache = { hits: 5, misses: 2 };
    const insight = () => ({ keySets: [], tokenCaches: [cache] });
    const a = recorder({ insight });
    const b = recorder({ insight });
    a.accepted(keyUser);
    b.accepted(keyUser);
    const attributes = { outcome: 'accepted', code: 'ok', auth_type: 'api_key', issuer: 'api_key' };
    expect(await meter.value(METRIC_NAMES.authTotal, attributes)).toBe(2);
    expect(await meter.value(METRIC_NAMES.tokenCacheTotal, { result: 'hit' })).toBe(5);
    b.close();
    a.accepted(keyUser);
    expect(await meter.value(METRIC_NAMES.authTotal, attributes)).toBe(2);
  });

  it('is a no-op without an SDK: no clock read, nothing thrown', () => {
    const r = new DecisionRecorder({ issuers: [], insight: () => EMPTY_INSIGHT });
    expect(r.timed).toBe(false);
    expect(r.start()).toBe(0);
    r.accepted(keyUser);
    r.refused(new MissingCredentialsError());
    r.timeSince(r.start());
    r.close();
  });
});

describe('DecisionRecorder with real providers', () => {
  let idp: KeyServer;
  let clock: FixedClock;
  let meter: TestMeter;

  beforeEach(async () => {
    idp = await KeyServer.start();
    clock = new FixedClock(Date.now());
    meter = new TestMeter();
  });
  afterEach(async () => {
    await idp.close();
    await meter.shutdown();
  });

  const setUp = () => {
    const oidc = new OidcAuthProvider({
      issuers: [{ issuer: idp.issuer, audience: idp.audience }],
      now: clock.now,
    });
    const provider = new MultiAuthProvider([
      new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'k'.repeat(32) }] }),
      oidc,
    ]);
    const insight = () => provider.insight();
    const recorder = new DecisionRecorder({
      issuers: insight().keySets.map((k) => k.issuer),
      insight,
      meterProvider: meter.meterProvider,
    });
    return { oidc, provider, recorder };
  };

  it('counts token-cache hits and misses as the cache sees them', async () => {
    const { provider, recorder } = setUp();
    const token = await idp.sign({}, {}, clock.seconds);
    // Admitted to the cache at its second verification: lookups 1 and 2 miss, 3 and 4 hit.
    for (let i = 0; i < 4; i++) await provider.validateToken(token);
    expect(await meter.value(METRIC_NAMES.tokenCacheTotal, { result: 'miss' })).toBe(2);
    expect(await meter.value(METRIC_NAMES.tokenCacheTotal, { result: 'hit' })).toBe(2);
    recorder.close();
  });

  it('counts key-set fetches by issuer and result, and reports the age of the keys', async () => {
    const { oidc, recorder } = setUp();
    idp.behaviour = 'error';
    await expect(oidc.validateToken(await idp.sign({}, {}, clock.seconds))).rejects.toMatchObject({
      code: 'issuer_unavailable',
    });
    expect(await meter.value(METRIC_NAMES.jwksFetchTotal, { issuer: idp.issuer, result: 'failure' })).toBe(1);
    expect((await meter.read()).get(METRIC_NAMES.jwksAge) ?? []).toEqual([]);
    idp.behaviour = 'ok';
    await oidc.warmUp();
    expect(await meter.value(METRIC_NAMES.jwksFetchTotal, { issuer: idp.issuer, result: 'success' })).toBe(1);
    clock.advance(42);
    expect(await meter.value(METRIC_NAMES.jwksAge, { issuer: idp.issuer })).toBe(42);
    recorder.close();
  });
});
