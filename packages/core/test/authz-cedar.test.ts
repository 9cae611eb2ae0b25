import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type Authorizer,
  type AuthzVerdict,
  type CedarPoint,
  ConfigError,
  createAuthContext,
  createAuthorizer,
} from '../src/index.js';

const ISSUER = 'https://idp.example.com';
const alice = createAuthContext({
  subject: 'alice',
  issuer: ISSUER,
  authType: 'oidc',
  scopes: ['telemetry:read'],
  roles: ['analyst'],
  claims: {
    department: 'ops',
    level: 3,
    ratio: 0.5,
    nothing: null,
    forged: { __entity: { type: 'User', id: 'x' } },
  },
});
const admin = createAuthContext({ subject: 'root', issuer: ISSUER, authType: 'oidc', isAdmin: true });
const mallory = createAuthContext({ subject: 'alice', issuer: 'https://evil.example.com', authType: 'oidc' });
const own = { type: 'Process', id: 'p-1', owner: { subject: 'alice', issuer: ISSUER } };

const OWNERSHIP = `
// Admins read everything; everyone else what it owns.
permit (principal, action == Action::"read", resource) when { principal.isAdmin };
permit (principal, action == Action::"read", resource is Process) when { resource.owner == principal };
permit (principal, action == Action::"report", resource)
when { principal.claims.department == "ops" && principal.claims.level >= 3 && principal.scopes.contains("telemetry:read") && context.method == "GET" };
forbid (principal, action, resource) when { resource has frozen && resource.frozen };
`;

const SCHEMA_CLEAN = `
permit (principal, action == Action::"read", resource) when { principal.isAdmin };
permit (principal, action == Action::"read", resource is Process) when { resource has owner && resource.owner == principal };
`;

const SCHEMA = `
entity User { subject: String, issuer: String, authType: String, isAdmin: Bool, scopes: Set<String>, roles: Set<String>, email?: String, claims: {} };
entity Process { owner?: User, frozen?: Bool };
action read, report appliesTo { principal: User, resource: Process, context: {} };
`;

function sync(verdict: AuthzVerdict | Promise<AuthzVerdict>): AuthzVerdict {
  if (verdict instanceof Promise) throw new Error('Cedar decides synchronously');
  return verdict;
}

describe('Cedar backend (the real wasm engine)', () => {
  let dir: string;
  let authorizer: Authorizer | undefined;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const failure = (fn: () => unknown): ConfigError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('no ConfigError');
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cedar-'));
  });
  afterEach(() => {
    authorizer?.close();
    authorizer = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides from principal, resource owner, chosen claims and context, and names the deciding policy', () => {
    const policies = file('ownership.cedar', OWNERSHIP);
    authorizer = createAuthorizer({
      backend: 'cedar',
      policies,
      claims: ['department', 'level', 'ratio', 'nothing', 'forged'],
    });
    expect(sync(authorizer.authorize(alice, 'read', own))).toMatchObject({
      allowed: true,
      policies: [`${policies}#1`],
    });
    expect(sync(authorizer.authorize(admin, 'read', own))).toMatchObject({
      allowed: true,
      policies: [`${policies}#0`],
    });
    // The same subject at another issuer does not own the process.
    const denied = sync(authorizer.authorize(mallory, 'read', own));
    expect(denied.allowed).toBe(false);
    if (!denied.allowed)
      expect(denied.error).toMatchObject({ code: 'access_denied', backend: 'cedar', status: 403 });
    expect(
      sync(authorizer.authorize(alice, 'report', { type: 'Process', id: 'p-2' }, { method: 'GET' })).allowed,
    ).toBe(true);
    expect(
      sync(authorizer.authorize(alice, 'report', { type: 'Process', id: 'p-2' }, { method: 'POST' })).allowed,
    ).toBe(false);
    const frozen = { ...own, id: 'p-3', properties: { frozen: true } };
    expect(sync(authorizer.authorize(alice, 'read', frozen)).allowed).toBe(false);
  });

  it('names a policy by its @id annotation, and refuses two policies of one name', () => {
    const named = `@advice("owners only") @id("owners-read")
permit (principal, action == Action::"read", resource) when { resource has owner && resource.owner == principal };`;
    authorizer = createAuthorizer({ backend: 'cedar', policies: file('named.cedar', named) });
    expect(sync(authorizer.authorize(alice, 'read', own))).toMatchObject({ policies: ['owners-read'] });
    const twice = [file('a.cedar', named), file('b.cedar', named)];
    expect(failure(() => createAuthorizer({ backend: 'cedar', policies: twice })).message).toContain(
      'two policies are named owners-read',
    );
  });

  it('validates against a schema, and stops start-up naming the file and the line of a bad policy', () => {
    const schema = file('telemetry.cedarschema', SCHEMA);
    authorizer = createAuthorizer({ backend: 'cedar', policies: [file('ok.cedar', SCHEMA_CLEAN)], schema });
    expect(sync(authorizer.authorize(alice, 'read', own)).allowed).toBe(true);

    const syntax = file(
      'syntax.cedar',
      'permit (principal, action, resource);\n\npermit (principal, action, resource)\n  when { context.x = 1 };\n',
    );
    const bad = failure(() =>
      createAuthorizer({ backend: 'cedar', policies: [file('fine.cedar', OWNERSHIP), syntax] }),
    );
    expect(bad.field).toBe('authz.policies');
    expect(bad.message).toContain(`${syntax}:4:10`);
    expect(bad.message).toContain("'=' is not a valid operator");

    const typo = file(
      'typo.cedar',
      '\npermit (principal, action == Action::"read", resource)\n  when { resource.ownr == principal };\n',
    );
    const refuted = failure(() => createAuthorizer({ backend: 'cedar', policies: typo, schema }));
    expect(refuted.message).toContain(`${typo}:3:10`);
    expect(refuted.message).toMatch(/ownr/);

    const brokenSchema = file('broken.cedarschema', 'entity User {');
    expect(
      failure(() => createAuthorizer({ backend: 'cedar', policies: typo, schema: brokenSchema })).field,
    ).toBe('authz.schema');
    expect(
      failure(() => createAuthorizer({ backend: 'cedar', policies: join(dir, 'missing.cedar') })).message,
    ).toContain('cannot be read (ENOENT)');
    expect(
      failure(() => createAuthorizer({ backend: 'cedar', policies: file('empty.cedar', '// nothing\n') }))
        .message,
    ).toContain('no policy found');
    expect(failure(() => createAuthorizer({ backend: 'cedar', policies: [] })).field).toBe('authz.policies');
  });

  it('reloads on a file change and on SIGHUP, atomically: a bad set never replaces the serving one', async () => {
    const events: AuditEvent[] = [];
    const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };
    const policies = file('live.cedar', 'permit (principal, action == Action::"read", resource);');
    authorizer = createAuthorizer({ backend: 'cedar', policies }, { logger });
    const point = authorizer.point as CedarPoint;
    const v1 = point.version;
    expect(sync(authorizer.authorize(alice, 'write', own)).allowed).toBe(false);

    // A broken edit: the old policies keep serving, and the failure is reported with file and line.
    writeFileSync(policies, 'permit (principal, action resource);');
    await waitUntil(() => events.some((e) => e.event === 'gatehouse.authz.reload_failed'));
    expect(point.version).toBe(v1);
    expect(sync(authorizer.authorize(alice, 'read', own)).allowed).toBe(true);
    expect(String(events.find((e) => e.event === 'gatehouse.authz.reload_failed')?.reason)).toContain(
      `${policies}:1:`,
    );

    // A good edit replaces them; the cached decisions of the old version no longer apply.
    writeFileSync(policies, 'permit (principal, action in [Action::"read", Action::"write"], resource);');
    await waitUntil(() => point.version !== v1);
    expect(sync(authorizer.authorize(alice, 'write', own)).allowed).toBe(true);

    // SIGHUP reloads too (here with nothing changed on disk but a new generation).
    const v2 = point.version;
    process.kill(process.pid, 'SIGHUP');
    await waitUntil(() => point.version !== v2);
    expect(events.filter((e) => e.event === 'gatehouse.authz.reloaded').length).toBeGreaterThanOrEqual(2);
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}
