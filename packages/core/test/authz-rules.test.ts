import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  type AuthzOptions,
  type AuthzVerdict,
  authErrorResponse,
  ConfigError,
  createAuthContext,
  createAuthorizer,
  InsufficientScopeError,
} from '../src/index.js';

const ISSUER = 'https://idp.example.com';
const alice = createAuthContext({
  subject: 'alice',
  issuer: ISSUER,
  authType: 'oidc',
  scopes: ['telemetry:read'],
  roles: ['analyst'],
  claims: { sub: 'alice', department: 'ops', groups: ['sre', 'oncall'], realm_access: { roles: ['viewer'] } },
});
const bob = createAuthContext({ subject: 'bob', issuer: ISSUER, authType: 'oidc' });
const admin = createAuthContext({ subject: 'root', issuer: ISSUER, authType: 'oidc', isAdmin: true });
const aliceElsewhere = createAuthContext({
  subject: 'alice',
  issuer: 'https://other.example.com',
  authType: 'oidc',
});
const owned = { type: 'process', id: 'p-1', owner: { subject: 'alice', issuer: ISSUER } };

function decide(
  options: AuthzOptions,
  auth = alice,
  action = 'read',
  resource: object = owned,
): AuthzVerdict {
  const verdict = createAuthorizer(options).authorize(auth, action, resource as typeof owned);
  if (verdict instanceof Promise) throw new Error('the rules decide synchronously');
  return verdict;
}

const rules = (allow: unknown, extra: object = {}): AuthzOptions =>
  ({ backend: 'rules', rules: [{ action: 'read', allow, ...extra }] }) as AuthzOptions;

describe('built-in rules', () => {
  it.each([
    ['role', { role: 'analyst' }, alice, true],
    ['role missing', { role: 'analyst' }, bob, false],
    ['admin', { admin: true }, admin, true],
    ['admin refused', { admin: true }, alice, false],
    ['owner', { owner: true }, alice, true],
    ['owner is another subject', { owner: true }, bob, false],
    ['owner at another issuer', { owner: true }, aliceElsewhere, false],
    ['claim equals', { claim: 'department', equals: 'ops' }, alice, true],
    ['claim equals other', { claim: 'department', equals: 'sales' }, alice, false],
    ['claim contains (array)', { claim: 'groups', contains: 'oncall' }, alice, true],
    ['claim contains (dotted path)', { claim: 'realm_access.roles', contains: 'viewer' }, alice, true],
    ['claim absent', { claim: 'groups', contains: 'oncall' }, bob, false],
    ['any', { any: [{ admin: true }, { owner: true }] }, alice, true],
    ['any, none holds', { any: [{ admin: true }, { owner: true }] }, bob, false],
    ['all', { all: [{ role: 'analyst' }, { owner: true }] }, alice, true],
    ['all, one fails', { all: [{ role: 'analyst' }, { admin: true }] }, alice, false],
    ['not', { not: { admin: true } }, alice, true],
    ['not, refused', { not: { owner: true } }, alice, false],
    ['true', true, bob, true],
  ])('%s', (_name, allow, auth, allowed) => {
    expect(decide(rules(allow), auth).allowed).toBe(allowed);
  });

  it('matches rules by action and resource type, and denies what no rule allows', () => {
    const options: AuthzOptions = {
      backend: 'rules',
      rules: [{ action: ['read', 'list'], resource: 'process', allow: true, id: 'read-processes' }],
    };
    expect(decide(options, bob, 'list')).toMatchObject({ allowed: true, policies: ['read-processes'] });
    expect(decide(options, bob, 'delete').allowed).toBe(false);
    expect(decide(options, bob, 'read', { type: 'log', id: 'l-1' }).allowed).toBe(false);
  });

  it('decides every time, never from a cache (cheaper than a cache key), with a list in one pass', () => {
    const authorizer = createAuthorizer(rules({ owner: true }));
    const verdicts = authorizer.authorizeAll(alice, 'read', [
      owned,
      { ...owned, owner: { subject: 'bob', issuer: ISSUER } },
    ]);
    expect(verdicts instanceof Promise ? [] : verdicts.map((v) => v.allowed)).toEqual([true, false]);
    expect(authorizer.authorize(alice, 'read', owned)).toMatchObject({ allowed: true, cached: false });
    expect(authorizer.cache.size).toBe(0);
  });

  it('says insufficient_scope, with the scopes that would help, only when a scope would help', () => {
    const scoped = decide(rules({ all: [{ scope: 'telemetry:write' }, { owner: true }] }));
    expect(scoped.allowed).toBe(false);
    if (scoped.allowed) return;
    expect(scoped.error).toBeInstanceOf(InsufficientScopeError);
    const response = authErrorResponse(scoped.error);
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(response.headers['www-authenticate']).toContain('scope="telemetry:write"');

    // Not the owner: no scope would help, so a plain 403 access_denied.
    const notOwner = decide(rules({ all: [{ scope: 'telemetry:write' }, { owner: true }] }), bob);
    expect(notOwner.allowed).toBe(false);
    if (notOwner.allowed) return;
    expect(notOwner.error).toBeInstanceOf(AccessDeniedError);
    expect(notOwner.error.code).toBe('access_denied');
    expect(authErrorResponse(notOwner.error).headers['www-authenticate']).toBeUndefined();
    expect(notOwner.error).toMatchObject({
      action: 'read',
      resourceType: 'process',
      resourceId: 'p-1',
      backend: 'rules',
    });
  });

  it.each([
    [{ backend: 'rules', rules: {} }, 'authz.rules'],
    [{ backend: 'rules', rules: [{ allow: true }] }, 'authz.rules[0].action'],
    [{ backend: 'rules', rules: [{ action: 'read' }] }, 'authz.rules[0].allow'],
    [{ backend: 'rules', rules: [{ action: 'read', allow: true, effect: 'deny' }] }, 'authz.rules[0].effect'],
    [
      { backend: 'rules', rules: [{ action: 'read', allow: { any: [{ role: '' }] } }] },
      'authz.rules[0].allow.any[0].role',
    ],
    [{ backend: 'rules', rules: [{ action: 'read', allow: { claim: 'x' } }] }, 'authz.rules[0].allow'],
    [
      { backend: 'rules', rules: [{ action: 'read', allow: { claim: 'x', equals: null } }] },
      'authz.rules[0].allow.equals',
    ],
    [
      { backend: 'rules', rules: [{ action: 'read', allow: { role: 'a', scope: 'b' } }] },
      'authz.rules[0].allow.scope',
    ],
    [{ backend: 'rules', rules: [{ action: 'read', allow: { all: [] } }] }, 'authz.rules[0].allow.all'],
    [{ backend: 'rules', rules: [{ action: [], allow: true }] }, 'authz.rules[0].action'],
    [{ backend: 'nope' }, 'authz.backend'],
    [{ backend: 'rules', rules: [], cache: { size: -1 } }, 'authz.cache.size'],
    [{ backend: 'rules', rules: [], claims: [''] }, 'authz.claims[0]'],
  ])('refuses %j at start-up, naming %s', (options, field) => {
    const error = (() => {
      try {
        createAuthorizer(options as AuthzOptions);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toContain(`"${field}"`);
  });
});
