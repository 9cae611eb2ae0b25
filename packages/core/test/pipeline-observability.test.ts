/**
 * Step 10 of the pipeline: every decision is counted once (metrics), timed, and logged once (audit),
 * whichever path it took: synchronous, after a key fetch, refused by a route's requirement after the
 * main step admitted the identity, or unavailable because the issuer is down.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthProvider,
  type AuditEvent,
  createGatehouse,
  type Gatehouse,
  METRIC_NAMES,
  MultiAuthProvider,
  OidcAuthProvider,
  requestView,
} from '../src/index.js';
import { KeyServer } from './helpers/key-server.js';
import { TestMeter } from './helpers/meter.js';

const KEY = 'pipeline-observability-key-0001';
const SCRAPER_KEY = 'pipeline-observability-key-0002';

describe('pipeline: one record per decision', () => {
  let idp: KeyServer;
  let meter: TestMeter;
  let gate: Gatehouse;
  const events: AuditEvent[] = [];
  const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };

  beforeEach(async () => {
    idp = await KeyServer.start();
    meter = new TestMeter();
    events.length = 0;
    gate = createGatehouse({
      logger,
      provider: new MultiAuthProvider([
        new ApiKeyAuthProvider({
          keys: [
            { name: 'svc', key: KEY },
            { name: 'scraper', key: SCRAPER_KEY, scopes: ['metrics:read'] },
          ],
          admins: ['svc'],
        }),
        new OidcAuthProvider({
          issuers: [{ issuer: idp.issuer, audience: idp.audience }],
          httpTimeoutMs: 500,
        }),
      ]),
      observability: { meterProvider: meter.meterProvider },
    });
  });
  afterEach(async () => {
    gate.close();
    await idp.close();
    await meter.shutdown();
  });

  const decide = (authorization?: string, route = gate.route()) =>
    Promise.resolve(gate.handle(requestView({ authorization }), route));
  const total = (labels: Record<string, string>) => meter.value(METRIC_NAMES.authTotal, labels);

  it('counts, times and logs accepted and rejected decisions once each', async () => {
    await decide(`Bearer ${KEY}`);
    const token = await idp.sign();
    await decide(`Bearer ${token}`); // a key fetch, then a verification
    await decide(`Bearer ${token}`);
    await decide(undefined);
    await decide(`Bearer ${await idp.sign({ iss: 'https://attacker.example' })}`);

    expect(await total({ outcome: 'accepted', code: 'ok', auth_type: 'api_key', issuer: 'api_key' })).toBe(1);
    expect(await total({ outcome: 'accepted', code: 'ok', auth_type: 'oidc', issuer: idp.issuer })).toBe(2);
    expect(
      await total({ outcome: 'rejected', code: 'missing_credentials', auth_type: 'none', issuer: 'none' }),
    ).toBe(1);
    expect(
      await total({ outcome: 'rejected', code: 'unknown_issuer', auth_type: 'oidc', issuer: 'unknown' }),
    ).toBe(1);
    const durations = (await meter.read()).get(METRIC_NAMES.authDuration)!;
    expect(durations.reduce((n, p) => n + p.value, 0)).toBe(5);
    expect(events.filter((e) => e.event.startsWith('gatehouse.auth.'))).toHaveLength(5);
    expect(await meter.value(METRIC_NAMES.jwksFetchTotal, { issuer: idp.issuer, result: 'success' })).toBe(1);
  });

  it('a route refusing an identity the main step admitted adds one refusal, not a second acceptance', async () => {
    const main = await decide(`Bearer ${SCRAPER_KEY}`);
    expect(main.admitted).toBe(true);
    const metrics = gate.route({ scopes: ['metrics:read'], orAdmin: true });
    const admins = gate.route({ admin: true });
    const auth = main.admitted ? main.auth : undefined;
    expect((await gate.handle(requestView({}), metrics, auth)).admitted).toBe(true);
    const denied = await gate.handle(requestView({}), admins, auth);
    expect(denied).toMatchObject({ admitted: false, status: 403 });
    expect(await total({ outcome: 'accepted', code: 'ok', auth_type: 'api_key', issuer: 'api_key' })).toBe(1);
    expect(
      await total({ outcome: 'rejected', code: 'forbidden', auth_type: 'api_key', issuer: 'api_key' }),
    ).toBe(1);
    expect(events.map((e) => e.event)).toEqual(['gatehouse.auth.accepted', 'gatehouse.auth.rejected']);
  });

  it('counts an unreachable issuer as unavailable, and readiness names it until it answers', async () => {
    idp.behaviour = 'error';
    expect((await gate.warmUp()).missing).toEqual([{ issuer: idp.issuer }]);
    const refused = await decide(`Bearer ${await idp.sign()}`);
    expect(refused).toMatchObject({ admitted: false, status: 503 });
    expect(
      await total({
        outcome: 'unavailable',
        code: 'issuer_unavailable',
        auth_type: 'oidc',
        issuer: idp.issuer,
      }),
    ).toBe(1);
    expect(
      await meter.value(METRIC_NAMES.jwksFetchTotal, { issuer: idp.issuer, result: 'failure' }),
    ).toBeGreaterThanOrEqual(1);
    idp.behaviour = 'ok';
    expect(await gate.warmUp()).toEqual({ ready: true, missing: [] });
    expect(gate.ready().ready).toBe(true);
  });

  it('never puts a subject, a token or a key in a label', async () => {
    const token = await idp.sign({ sub: 'alice-subject' });
    await decide(`Bearer ${token}`);
    await decide(`Bearer ${KEY}`);
    await decide(`Bearer ${token}x`);
    await decide(`Bearer ${KEY}x`);
    const values = [...(await meter.read()).values()].flat().flatMap((p) => Object.values(p.attributes));
    for (const secret of ['alice-subject', 'svc', token, KEY, `${KEY}x`])
      expect(values).not.toContain(secret);
  });
});
