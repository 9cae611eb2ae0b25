/**
 * Ownership through an AuthZEN PDP (the example PDP, as a real process, with its ownership policies):
 * what the Express ingestion app's reads rely on. A non-admin reads what it sent (subject and issuer), a
 * list is filtered in one `evaluations` call, an admin reads everything.
 */
import { type AuthzResource, createAuthContext, createAuthorizer } from '@gatehouse/core';
import { type HttpProcess, OWNERSHIP_POLICIES, startAuthzenPdp } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ISSUER = 'https://idp.example.com';
const alice = createAuthContext({ subject: 'alice', issuer: ISSUER, authType: 'oidc' });
const aliceElsewhere = createAuthContext({
  subject: 'alice',
  issuer: 'https://other.example.com',
  authType: 'oidc',
});
const sensor = createAuthContext({ subject: 'sensor-1', issuer: 'api_key', authType: 'api_key' });
const admin = createAuthContext({ subject: 'root', issuer: ISSUER, authType: 'oidc', isAdmin: true });

const record = (id: string, subject: string, issuer: string): AuthzResource => ({
  type: 'process',
  id,
  owner: { subject, issuer },
});
const records = [
  record('p-1', 'alice', ISSUER),
  record('p-2', 'sensor-1', 'api_key'),
  record('p-3', 'alice', ISSUER),
];

describe('ownership through the example AuthZEN PDP', () => {
  let pdp: HttpProcess;
  let url: string;
  beforeAll(async () => {
    ({ url, process: pdp } = await startAuthzenPdp({
      AUTHZEN_POLICIES: OWNERSHIP_POLICIES,
    }));
  });
  afterAll(() => pdp?.stop());

  it('lets a non-admin read what it sent, and nothing else', async () => {
    const authorizer = createAuthorizer({ backend: 'authzen', url });
    expect((await authorizer.authorize(alice, 'read', records[0]!)).allowed).toBe(true);
    expect((await authorizer.authorize(alice, 'read', records[1]!)).allowed).toBe(false);
    expect((await authorizer.authorize(sensor, 'read', records[1]!)).allowed).toBe(true);
    // The same subject name at another issuer is someone else.
    expect((await authorizer.authorize(aliceElsewhere, 'read', records[0]!)).allowed).toBe(false);
    expect((await authorizer.authorize(admin, 'read', records[1]!)).allowed).toBe(true);
  });

  it('filters a list in one evaluations call', async () => {
    const authorizer = createAuthorizer({ backend: 'authzen', url });
    const allowed = async (who: typeof alice) =>
      (await authorizer.authorizeAll(who, 'read', records)).map((v) => v.allowed);
    expect(await allowed(alice)).toEqual([true, false, true]);
    expect(await allowed(sensor)).toEqual([false, true, false]);
    expect(await allowed(admin)).toEqual([true, true, true]);
    expect(await allowed(aliceElsewhere)).toEqual([false, false, false]);
  });
});
