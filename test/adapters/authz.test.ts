/**
 * The authorization step on every adapter, with each backend: built-in rules, Cedar in process, and an
 * AuthZEN PDP (the example PDP as a real process). The same routes everywhere (authz-routes.ts): a record
 * per owner (Express and Koa run the step after the main middleware, Fastify on the route's own step and
 * as a preHandler, Nest through the guard and `@Authorize`), and a list filtered with `gate.permitted`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthzOptions } from '@gatehouse/core';
import { freePort, type HttpProcess, startAuthzenPdp } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpAnswer, send } from './http.js';
import { TARGETS } from './targets.js';

const OWN_KEY = 'authz-suite-key-000001';
const EXPORT_KEY = 'authz-suite-key-000002';
const ADMIN_KEY = 'authz-suite-key-000003';
const API_KEYS = [
  { name: 'legacy-service', key: OWN_KEY },
  // The same identity (a rotated key) with one more scope.
  { name: 'legacy-service', key: EXPORT_KEY, scopes: ['records:export'] },
  { name: 'admin-service', key: ADMIN_KEY },
];

const RULES: AuthzOptions = {
  backend: 'rules',
  rules: [
    { id: 'admins', action: '*', allow: { admin: true } },
    { id: 'own', action: 'read', resource: 'record', allow: { owner: true } },
    {
      id: 'export',
      action: 'export',
      resource: 'record',
      allow: { all: [{ scope: 'records:export' }, { owner: true }] },
    },
  ],
};
// The same policy in Cedar, over Gatehouse's principal and resource…
const CEDAR = `
permit (principal, action, resource) when { principal.isAdmin };
permit (principal, action == Action::"read", resource) when { resource has owner && resource.owner == principal };
permit (principal, action == Action::"export", resource)
when { resource has owner && resource.owner == principal && principal.scopes.contains("records:export") };
`;
// …and for the PDP, over the AuthZEN subject and resource (properties).
const PDP_POLICY = `
permit (principal, action, resource) when { principal has is_admin && principal.is_admin };
permit (principal, action == Action::"read", resource)
when { resource has owner && principal has issuer &&
       resource.owner.subject == principal.id && resource.owner.issuer == principal.issuer };
permit (principal, action == Action::"export", resource)
when { resource has owner && principal has issuer && principal has scopes &&
       resource.owner.subject == principal.id && resource.owner.issuer == principal.issuer &&
       principal.scopes.contains("records:export") };
`;

let dir: string;
let pdp: HttpProcess;
let pdpUrl: string;
let closedUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-authz-suite-'));
  writeFileSync(join(dir, 'records.cedar'), CEDAR);
  writeFileSync(join(dir, 'pdp.cedar'), PDP_POLICY);
  ({ url: pdpUrl, process: pdp } = await startAuthzenPdp({ AUTHZEN_POLICIES: join(dir, 'pdp.cedar') }));
  closedUrl = `http://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await pdp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const BACKENDS: { name: string; authz: () => AuthzOptions; scopeHint: boolean }[] = [
  { name: 'built-in rules', authz: () => RULES, scopeHint: true },
  {
    name: 'Cedar',
    authz: () => ({ backend: 'cedar', policies: join(dir, 'records.cedar') }),
    scopeHint: false,
  },
  { name: 'an AuthZEN PDP', authz: () => ({ backend: 'authzen', url: pdpUrl }), scopeHint: false },
];

const expectRefusal = (res: HttpAnswer, status: number, code: string) => {
  expect(res.status, res.body).toBe(status);
  expect(res.json()).toMatchObject({ error: code });
  expect(typeof res.json().error_description).toBe('string');
};

describe.each(TARGETS)('$name: the authorization step', (target) => {
  describe.each(BACKENDS)('with $name', ({ authz, scopeHint }) => {
    let url: string;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ url, close } = await target.start({ apiKeys: API_KEYS, admins: ['admin-service'], authz: authz() }));
    });
    afterAll(() => close?.());
    const get = (path: string, key?: string) =>
      send(`${url}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

    it('lets the owner read its record, refuses anyone else with 403 access_denied', async () => {
      const own = await get('/v1/records/legacy-service', OWN_KEY);
      expect(own.status, own.body).toBe(200);
      expect(own.json()).toEqual({ id: 'r-legacy-service' });
      const other = await get('/v1/records/someone-else', OWN_KEY);
      expectRefusal(other, 403, 'access_denied');
      expect(other.headers['www-authenticate'] ?? '').not.toContain('insufficient_scope');
      expect((await get('/v1/records/someone-else')).status).toBe(401);
    });

    it('lets an admin read every record', async () => {
      for (const owner of ['legacy-service', 'someone-else']) {
        expect((await get(`/v1/records/${owner}`, ADMIN_KEY)).status).toBe(200);
      }
    });

    it(`says insufficient_scope ${scopeHint ? 'when the scope would help' : 'never: the policy does not say a scope would help'}`, async () => {
      const lacking = await get('/v1/records/legacy-service/export', OWN_KEY);
      if (scopeHint) {
        expectRefusal(lacking, 403, 'insufficient_scope');
        expect(lacking.headers['www-authenticate']).toContain('scope="records:export"');
      } else {
        expectRefusal(lacking, 403, 'access_denied');
      }
      expect((await get('/v1/records/legacy-service/export', EXPORT_KEY)).json()).toEqual({
        exported: 'r-legacy-service',
      });
      expectRefusal(await get('/v1/records/someone-else/export', EXPORT_KEY), 403, 'access_denied');
    });

    it('filters a list: a non-admin gets its own records, an admin all of them', async () => {
      for (let round = 0; round < 2; round++) {
        expect((await get('/v1/records', OWN_KEY)).json()).toEqual({ ids: ['r-legacy-service'] });
        expect((await get('/v1/records', ADMIN_KEY)).json()).toEqual({
          ids: ['r-legacy-service', 'r-admin-service', 'r-someone-else'],
        });
      }
    });
  });

  describe('with an AuthZEN PDP that cannot be reached', () => {
    let url: string;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ url, close } = await target.start({
        apiKeys: API_KEYS,
        admins: ['admin-service'],
        authz: { backend: 'authzen', url: closedUrl, discovery: false, timeoutMs: 500 },
      }));
    });
    afterAll(() => close?.());

    it('answers 503 with Retry-After, for a record and for a list: never an allow', async () => {
      for (const path of ['/v1/records/legacy-service', '/v1/records']) {
        for (const key of [OWN_KEY, ADMIN_KEY]) {
          const res = await send(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
          expectRefusal(res, 503, 'authz_unavailable');
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        }
      }
    });
  });
});
