import { describe, expect, it } from 'vitest';
import {
  type AuthContext,
  createAuthContext,
  createGatehouse,
  parseSelector,
  type Revocation,
  Revocations,
  TokenRevokedError,
} from '../src/index.js';
import { MemoryState, RevocationList } from '../src/state/index.js';
import { FixedClock } from './helpers/clock.js';
import { callRoute } from './helpers/routes.js';

const ISSUER = 'https://login.example.com';
const OTHER = 'https://other.example.com';

function oidc(subject: string, claims: Record<string, unknown> = {}, issuer = ISSUER): AuthContext {
  return createAuthContext({ subject, issuer, authType: 'oidc', claims: { sub: subject, ...claims } });
}
const apiKey = (name: string) => createAuthContext({ subject: name, issuer: 'api_key', authType: 'api_key' });

function rev(fields: Partial<Revocation> & Pick<Revocation, 'kind'>): Revocation {
  return { id: `r-${Math.random()}`, createdAt: 0, expiresAt: null, ...fields } as Revocation;
}

describe('RevocationList.covers', () => {
  it('covers a jti only at its issuer, whatever the token bytes', () => {
    const list = new RevocationList();
    list.add(rev({ kind: 'jti', issuer: ISSUER, jti: 'abc' }));
    expect(list.covers(oidc('alice', { jti: 'abc' }))).toBeDefined();
    expect(list.covers(oidc('alice', { jti: 'abc' }, OTHER))).toBeUndefined();
    expect(list.covers(oidc('alice', { jti: 'abd' }))).toBeUndefined();
    expect(list.covers(oidc('alice'))).toBeUndefined();
  });

  it("covers a subject's tokens issued before the revocation's second, and those without iat", () => {
    const list = new RevocationList();
    list.add(rev({ kind: 'subject', issuer: ISSUER, subject: 'alice', issuedBefore: 1000 }));
    expect(list.covers(oidc('alice', { iat: 999 }))).toBeDefined();
    expect(list.covers(oidc('alice', { iat: 999.9 }))).toBeDefined();
    expect(list.covers(oidc('alice'))).toBeDefined();
    expect(list.covers(oidc('alice', { iat: 1000 }))).toBeUndefined();
    expect(list.covers(oidc('alice', { iat: 1001 }))).toBeUndefined();
    expect(list.covers(oidc('bob', { iat: 1 }))).toBeUndefined();
    expect(list.covers(oidc('alice', { iat: 1 }, OTHER))).toBeUndefined();
  });

  it('covers every key of an API key name, and sessions by sid', () => {
    const list = new RevocationList();
    list.add(rev({ kind: 'api_key', apiKey: 'billing' }));
    list.add(rev({ kind: 'session', issuer: ISSUER, sid: 's-1', issuedBefore: 1000 }));
    expect(list.covers(apiKey('billing'))).toBeDefined();
    expect(list.covers(apiKey('reports'))).toBeUndefined();
    expect(list.covers(oidc('billing'))).toBeUndefined();
    expect(list.covers(oidc('alice', { sid: 's-1', iat: 10 }))).toBeDefined();
    expect(list.covers(oidc('alice', { sid: 's-2', iat: 10 }))).toBeUndefined();
  });

  it('keeps a second revocation of the same subject when the first is lifted, and prunes expired ones', () => {
    const list = new RevocationList();
    const first = rev({
      kind: 'subject',
      issuer: ISSUER,
      subject: 'alice',
      issuedBefore: 1000,
      expiresAt: 10,
    });
    const second = rev({ kind: 'subject', issuer: ISSUER, subject: 'alice', issuedBefore: 2000 });
    list.add(first);
    list.add(second);
    expect(list.delete(first.id)).toBe(true);
    expect(list.covers(oidc('alice', { iat: 1500 }))?.id).toBe(second.id);
    list.add(first);
    expect(list.prune(11)).toBe(1);
    expect(list.list().map((r) => r.id)).toEqual([second.id]);
    list.replaceAll([]);
    expect(list.covers(oidc('alice'))).toBeUndefined();
    expect(list.size).toBe(0);
  });
});

describe('parseSelector (the POST /v1/admin/revocations body)', () => {
  it.each([[{ jti: 'a', issuer: ISSUER }], [{ subject: 'alice', issuer: ISSUER }], [{ apiKey: 'billing' }]])(
    'accepts %j',
    (body) => {
      expect(parseSelector(body)).toEqual(body);
    },
  );

  it.each([
    ['no body', undefined],
    ['an array', [{ apiKey: 'x' }]],
    ['a string', 'apiKey'],
    ['nothing selected', {}],
    ['two selectors', { jti: 'a', subject: 'b', issuer: ISSUER }],
    ['apiKey with issuer', { apiKey: 'a', issuer: ISSUER }],
    ['jti without issuer', { jti: 'a' }],
    ['an unknown field', { apiKey: 'a', reason: 'x' }],
    ['a number', { apiKey: 5 }],
    ['null', { apiKey: null }],
    ['an empty string', { jti: '', issuer: ISSUER }],
    ['blank', { subject: '  ', issuer: ISSUER }],
    ['a huge value', { apiKey: 'x'.repeat(5000) }],
  ])('refuses %s', (_, body) => {
    expect(typeof parseSelector(body)).toBe('string');
  });
});

describe('Revocations and the revocation routes on the in-process store', () => {
  it('answers 201 with the revocation in force, lists it, lifts it (204) and 404s an unknown id', async () => {
    const clock = new FixedClock();
    const gate = createGatehouse({
      apiKeys: [{ name: 'ops', key: 'ops-key-0123456789' }],
      admins: ['ops'],
      state: new MemoryState({ now: clock.now }),
      revocation: { now: clock.now },
      routes: true,
      env: false,
    });
    const admin = { authorization: 'Bearer ops-key-0123456789' };
    const path = '/v1/admin/revocations';
    const revocations = gate.revocations;
    const created = await callRoute(gate, 'POST', path, {
      ...admin,
      body: { subject: 'alice', issuer: ISSUER },
    });
    expect(created.status).toBe(201);
    const body = created.body as { id: string; kind: string; issuedBefore: string; expiresAt: string };
    expect(body).toMatchObject({ kind: 'subject', subject: 'alice', issuer: ISSUER });
    expect(created.headers.location).toBe(`/v1/admin/revocations/${body.id}`);
    expect(new Date(body.expiresAt).getTime()).toBe(clock.now() + (86_400 + 60) * 1000);
    expect(revocations.check(oidc('alice', { iat: clock.seconds - 1 }))).toBeInstanceOf(TokenRevokedError);
    expect(revocations.check(oidc('alice', { iat: clock.seconds }))).toBeUndefined();
    expect(await callRoute(gate, 'GET', path, admin)).toMatchObject({ status: 200, body: [{ id: body.id }] });

    expect((await callRoute(gate, 'POST', path, { ...admin, body: { subject: 'alice' } })).status).toBe(400);
    expect((await callRoute(gate, 'DELETE', `${path}/${body.id}`, admin)).status).toBe(204);
    expect(await callRoute(gate, 'DELETE', `${path}/${body.id}`, admin)).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect(revocations.check(oidc('alice', { iat: 1 }))).toBeUndefined();
    expect((await callRoute(gate, 'GET', path, admin)).body).toEqual([]);
  });

  it('keeps API key revocations until lifted, and drops expired ones from the list', async () => {
    const clock = new FixedClock();
    const revocations = new Revocations(new MemoryState({ now: clock.now }).revocations, {
      now: clock.now,
      maxTokenLifetimeSecs: 3600,
      clockToleranceSecs: 0,
    });
    await revocations.revoke({ apiKey: 'billing' });
    await revocations.revoke({ jti: 'j', issuer: ISSUER });
    clock.advance(3601);
    expect(revocations.list().map((r) => r.kind)).toEqual(['api_key']);
    expect(revocations.check(apiKey('billing'))?.code).toBe('token_revoked');
  });
});
