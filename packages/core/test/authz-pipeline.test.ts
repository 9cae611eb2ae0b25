/**
 * The authorization step in the pipeline (after the requirement): the route names an action and how to
 * find the resource; the decision is allow, 403 access_denied, 403 insufficient_scope (only when a scope
 * would help) or 503 authz_unavailable (never an allow). One record per decision: the accepted audit line
 * carries the authorization's detail, the counts are taken once, a known token with a decision in process
 * is answered synchronously. Lists are filtered with `gate.permitted`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@gatehouse/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuthzResource,
  AuthzUnavailableError,
  ConfigError,
  createGatehouse,
  type Decision,
  type Gatehouse,
  type GatehouseOptions,
  prometheusText,
  requestView,
} from '../src/index.js';

const KEY = 'authz-pipeline-key-00001';
const ADMIN_KEY = 'authz-pipeline-key-00002';
const SCOPED_KEY = 'authz-pipeline-key-00003';
const owner = (subject: string) => ({ subject, issuer: 'api_key' });
const RULES = [
  { id: 'admins', action: '*', allow: { admin: true } },
  { id: 'own', action: 'read', resource: 'record', allow: { owner: true } },
  {
    id: 'export',
    action: 'export',
    resource: 'record',
    allow: { all: [{ scope: 'records:export' }, { owner: true }] },
  },
] as const;

const events: AuditEvent[] = [];
const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };
const gates: Gatehouse[] = [];

function gate(authz: GatehouseOptions['authz'] = { backend: 'rules', rules: RULES }): Gatehouse {
  events.length = 0;
  const built = createGatehouse({
    env: false,
    logger,
    apiKeys: [
      { name: 'svc', key: KEY },
      { name: 'root', key: ADMIN_KEY },
      { name: 'exporter', key: SCOPED_KEY, scopes: ['records:export'] },
    ],
    admins: ['root'],
    routes: true,
    authz,
  });
  gates.push(built);
  return built;
}

afterEach(async () => {
  for (const g of gates.splice(0)) await g.close();
});

const view = (key: string) => requestView({ authorization: `Bearer ${key}` });
const summary = (d: Decision) => (d.admitted ? 200 : `${d.status} ${d.error.code}`);
/** A route that reads the record named by the input (the framework's request, here its owner). */
const recordRoute = (g: Gatehouse, action = 'read') =>
  g.route<string>({
    authorize: { action, resource: (name) => ({ type: 'record', id: `r-${name}`, owner: owner(name) }) },
  });

describe('the authorization step in the pipeline', () => {
  it('allows the owner synchronously, and writes one accepted line with the decision', () => {
    const g = gate();
    const decision = g.handle(view(KEY), recordRoute(g), undefined, 'svc');
    expect(decision).not.toBeInstanceOf(Promise);
    expect(summary(decision as Decision)).toBe(200);
    expect(events).toEqual([
      expect.objectContaining({
        event: 'gatehouse.auth.accepted',
        subject: 'svc',
        authz: {
          action: 'read',
          resourceType: 'record',
          resourceId: 'r-svc',
          backend: 'rules',
          decision: 'allow',
          cached: false,
          policies: ['own'],
        },
      }),
    ]);
  });

  it('refuses anyone else with 403 access_denied, and admins pass', async () => {
    const g = gate();
    const refused = (await g.handle(view(KEY), recordRoute(g), undefined, 'someone-else')) as Decision;
    expect(summary(refused)).toBe('403 access_denied');
    if (refused.admitted) throw new Error('admitted');
    expect(refused.body).toEqual({ error: 'access_denied', error_description: 'access denied' });
    expect(refused.headers['www-authenticate']).toBeUndefined();
    expect(events).toEqual([
      expect.objectContaining({
        event: 'gatehouse.auth.rejected',
        code: 'access_denied',
        subject: 'svc',
        action: 'read',
        resourceType: 'record',
        resourceId: 'r-someone-else',
        backend: 'rules',
      }),
    ]);
    expect(summary(await g.handle(view(ADMIN_KEY), recordRoute(g), undefined, 'someone-else'))).toBe(200);
  });

  it('says insufficient_scope only when a scope would have allowed it', async () => {
    const g = gate();
    const lacking = (await g.handle(view(KEY), recordRoute(g, 'export'), undefined, 'svc')) as Decision;
    expect(summary(lacking)).toBe('403 insufficient_scope');
    if (lacking.admitted) throw new Error('admitted');
    const challenge = lacking.headers['www-authenticate'];
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="records:export"');
    // The scope would not help with someone else's record: access_denied.
    expect(summary(await g.handle(view(KEY), recordRoute(g, 'export'), undefined, 'other'))).toBe(
      '403 access_denied',
    );
    expect(summary(await g.handle(view(SCOPED_KEY), recordRoute(g, 'export'), undefined, 'exporter'))).toBe(
      200,
    );
  });

  it('runs after the requirement, finds the resource with a lookup, and on an identity admitted earlier', async () => {
    const g = gate();
    const lookup = g.route<string>({
      admin: true,
      authorize: { action: 'read', resource: async (name) => ({ type: 'record', owner: owner(name) }) },
    });
    expect(summary(await g.handle(view(KEY), lookup, undefined, 'svc'))).toBe('403 forbidden');
    const main = (await g.handle(view(KEY), g.route())) as Decision;
    if (!main.admitted || !main.auth) throw new Error('refused');
    events.length = 0;
    const own = g.route<string>({
      authorize: { action: 'read', resource: async (name) => ({ type: 'record', owner: owner(name) }) },
    });
    const later = g.handle(view(KEY), own, main.auth, 'svc');
    expect(later).toBeInstanceOf(Promise);
    expect(summary(await later)).toBe(200);
    expect(summary(await g.handle(view(KEY), own, main.auth, 'other'))).toBe('403 access_denied');
    expect(events.map((e) => e.event)).toEqual(['gatehouse.authz.allowed', 'gatehouse.auth.rejected']);
    expect(events[0]).toMatchObject({ subject: 'svc', authz: { action: 'read', decision: 'allow' } });
    // Counted once each (the admin requirement refused before any decision): the main step's acceptance, the
    // rejections; the later allow is not a second acceptance.
    const text = prometheusText(g.metrics);
    expect(text).toContain(
      'gatehouse_auth_total{outcome="accepted",code="ok",auth_type="api_key",issuer="api_key"} 1',
    );
    expect(text).toContain(
      'gatehouse_authz_decisions_total{backend="rules",decision="allow",cache="miss"} 1',
    );
    expect(text).toContain('gatehouse_authz_decisions_total{backend="rules",decision="deny",cache="miss"} 1');
  });

  it('answers 503 with Retry-After when the PDP cannot be reached: never an allow, never cached', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const g = gate({ backend: 'authzen', url, discovery: false, timeoutMs: 500 });
    for (let i = 0; i < 2; i++) {
      const decision = (await g.handle(view(ADMIN_KEY), recordRoute(g), undefined, 'root')) as Decision;
      expect(summary(decision)).toBe('503 authz_unavailable');
      if (decision.admitted) throw new Error('admitted');
      expect(decision.headers['retry-after']).toBe('1');
    }
    expect(prometheusText(g.metrics)).toContain(
      'gatehouse_authz_decisions_total{backend="authzen",decision="error",cache="miss"} 2',
    );
    expect(events.filter((e) => e.event === 'gatehouse.auth.rejected')).toEqual([
      expect.objectContaining({ code: 'authz_unavailable', backend: 'authzen', reason: 'unreachable' }),
      expect.objectContaining({ code: 'authz_unavailable' }),
    ]);
  });

  it('answers a cached Cedar decision synchronously, and stops watching its files when the gate closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-authz-pipeline-'));
    try {
      const policies = join(dir, 'own.cedar');
      writeFileSync(
        policies,
        'permit (principal, action, resource) when { resource has owner && resource.owner == principal };',
      );
      const hangups = process.listenerCount('SIGHUP');
      const g = gate({ backend: 'cedar', policies });
      expect(process.listenerCount('SIGHUP')).toBe(hangups + 1);
      for (const name of ['svc', 'svc', 'other']) g.handle(view(KEY), recordRoute(g), undefined, name);
      expect(prometheusText(g.metrics)).toMatch(
        /gatehouse_authz_decisions_total\{backend="cedar",decision="allow",cache="hit"\} 1\n/,
      );
      await g.close();
      expect(process.listenerCount('SIGHUP')).toBe(hangups);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses at start-up a route it cannot run', () => {
    const none = createGatehouse({ env: false, apiKeys: [{ name: 'svc', key: KEY }] });
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).message;
      }
      throw new Error('no error');
    };
    expect(
      error(() => none.route({ authorize: { action: 'read', resource: { type: 'record' } } })),
    ).toContain('"authz" is not configured');
    const g = gate();
    expect(
      error(() => g.route({ optional: true, authorize: { action: 'read', resource: { type: 'record' } } })),
    ).toBe('a route (authorize "read") cannot be optional: a decision needs an identity');
    expect(error(() => g.route({ authorize: { action: '', resource: { type: 'record' } } }))).toBe(
      'a route (authorize "") needs an action to authorize',
    );
  });
});

describe('list filtering: gate.permitted', () => {
  const records: (AuthzResource & { owner: { subject: string; issuer: string } })[] = [
    'svc',
    'other',
    'svc',
    'root',
  ].map((name, i) => ({ type: 'record', id: `r-${i}`, owner: owner(name) }));
  const identity = async (g: Gatehouse, key: string) => {
    const decision = (await g.handle(view(key), g.route())) as Decision;
    if (!decision.admitted || !decision.auth) throw new Error('refused');
    return decision.auth;
  };

  it('keeps what the identity may read, in order, with one audit line', async () => {
    const g = gate();
    const svc = await identity(g, KEY);
    events.length = 0;
    const mine = g.permitted(svc, 'read', records);
    expect(mine).not.toBeInstanceOf(Promise);
    expect((mine as typeof records).map((r) => r.id)).toEqual(['r-0', 'r-2']);
    expect(events).toEqual([
      expect.objectContaining({
        event: 'gatehouse.authz.filtered',
        subject: 'svc',
        action: 'read',
        resourceTypes: ['record'],
        asked: 4,
        allowed: 2,
      }),
    ]);
    expect(await g.permitted(await identity(g, ADMIN_KEY), 'read', records)).toHaveLength(4);
    expect(g.permitted(svc, 'read', [])).toEqual([]);
  });

  it('throws the outage rather than return a shorter list', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const g = gate({ backend: 'authzen', url, discovery: false, timeoutMs: 500 });
    const svc = await identity(g, KEY);
    const error = await Promise.resolve(g.permitted(svc, 'read', records)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AuthzUnavailableError);
    expect(g.respond(error)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  });
});
