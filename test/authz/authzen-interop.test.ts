/**
 * Gatehouse's AuthZEN client against the AuthZEN working group's published interop decisions (the Todo
 * scenario), through real PDP processes: the example PDP (apps/authzen-pdp, Cedar inside), and Cerbos
 * (its Linux x64 binary from npm) where it is installed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AuthContext, type AuthzResource, createAuthContext, createAuthorizer } from '@gatehouse/core';
import { findCerbos, type HttpProcess, startAuthzenPdp, startCerbos } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIXTURES = fileURLToPath(new URL('../../apps/authzen-pdp/fixtures/todo', import.meta.url));

type Entity = { type: string; id: string; properties?: Record<string, unknown> };
interface Published {
  evaluation: {
    request: { subject: Entity; action: { name: string }; resource: Entity };
    expected: boolean;
  }[];
  evaluations: {
    request: { subject: Entity; action: { name: string }; evaluations: { resource: Entity }[] };
    expected: { decision: boolean }[];
  }[];
}
const published = JSON.parse(readFileSync(`${FIXTURES}/decisions.json`, 'utf8')) as Published;
// The scenario's PIP: each user's email and roles.
const pip = new Map(
  (
    JSON.parse(readFileSync(`${FIXTURES}/entities.json`, 'utf8')) as {
      uid: { id: string };
      attrs: { email: string; roles: string[] };
    }[]
  ).map((e) => [e.uid.id, e.attrs]),
);

/** The identity a token of this interop user gives, with or without the roles the PIP knows. */
function identity(subject: string, withRoles: boolean): AuthContext {
  const known = pip.get(subject)!;
  return createAuthContext({
    subject,
    issuer: 'https://citadel.example.com',
    authType: 'oidc',
    email: known.email,
    roles: withRoles ? known.roles : [],
  });
}

const resourceOf = (entity: Entity): AuthzResource => ({
  type: entity.type,
  id: entity.id,
  properties: entity.properties,
});

/** Every published decision through Gatehouse's client: single evaluations, then the batches. */
async function runScenario(
  url: string,
  withRoles: boolean,
): Promise<{ got: unknown[]; expected: unknown[] }> {
  const authorizer = createAuthorizer({ backend: 'authzen', url, cache: { size: 0 } });
  const got: unknown[] = [];
  const expected: unknown[] = [];
  for (const { request, expected: decision } of published.evaluation) {
    const verdict = await authorizer.authorize(
      identity(request.subject.id, withRoles),
      request.action.name,
      resourceOf(request.resource),
    );
    if (!verdict.allowed && verdict.error.code !== 'access_denied') throw verdict.error;
    got.push([request.subject.id.slice(6, 10), request.action.name, request.resource.id, verdict.allowed]);
    expected.push([request.subject.id.slice(6, 10), request.action.name, request.resource.id, decision]);
  }
  for (const { request, expected: decisions } of published.evaluations) {
    const resources = request.evaluations.map((e) => resourceOf(e.resource));
    const verdicts = await authorizer.authorizeAll(
      identity(request.subject.id, withRoles),
      request.action.name,
      resources,
    );
    got.push(verdicts.map((v) => v.allowed));
    expected.push(decisions.map((d) => d.decision));
  }
  authorizer.close();
  return { got, expected };
}

describe('AuthZEN interop (Todo scenario), through the example PDP process', () => {
  let pdp: HttpProcess;
  let url: string;
  beforeAll(async () => {
    ({ url, process: pdp } = await startAuthzenPdp());
  });
  afterAll(() => pdp?.stop());

  it('answers every published request exactly (the PDP itself, raw AuthZEN)', async () => {
    expect(published.evaluation).toHaveLength(40);
    for (const { request, expected } of published.evaluation) {
      const response = await fetch(`${url}/access/v1/evaluation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'interop-1' },
        body: JSON.stringify(request),
      });
      expect(response.headers.get('x-request-id')).toBe('interop-1');
      expect([
        request.action.name,
        request.resource.id,
        ((await response.json()) as { decision: boolean }).decision,
      ]).toEqual([request.action.name, request.resource.id, expected]);
    }
    for (const { request, expected } of published.evaluations) {
      const response = await fetch(`${url}/access/v1/evaluations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      expect(((await response.json()) as { evaluations: unknown }).evaluations).toEqual(expected);
    }
  });

  it('gives every published decision through Gatehouse (roles from the PDP’s PIP)', async () => {
    const { got, expected } = await runScenario(url, false);
    expect(got).toEqual(expected);
  });
});

describe.skipIf(findCerbos() === undefined)('AuthZEN interop (Todo scenario), through Cerbos', () => {
  let cerbos: Awaited<ReturnType<typeof startCerbos>>;
  beforeAll(async () => {
    cerbos = await startCerbos({ 'todo.yaml': CERBOS_TODO, 'user.yaml': CERBOS_USER });
  });
  afterAll(() => cerbos?.process.stop());

  it('gives every published decision through Gatehouse (roles from the token)', async () => {
    const { got, expected } = await runScenario(cerbos.url, true);
    expect(got).toEqual(expected);
  });
});

// The scenario in Cerbos's policy language. Cerbos (0.55) maps an AuthZEN subject to a principal whose role
// is the subject's type (`user`) and whose attributes are its properties: the token's roles are in
// `P.attr.roles`, its email in `P.attr.email`; the todo's owner in `R.attr.ownerID`.
const EDITOR_OWNS = '("editor" in P.attr.roles && has(R.attr.ownerID) && R.attr.ownerID == P.attr.email)';
const CERBOS_TODO = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  version: default
  resource: todo
  rules:
    - actions: [can_read_todos]
      effect: EFFECT_ALLOW
      roles: ["*"]
    - actions: [can_create_todo]
      effect: EFFECT_ALLOW
      roles: ["*"]
      condition:
        match:
          expr: '"admin" in P.attr.roles || "editor" in P.attr.roles'
    - actions: [can_update_todo]
      effect: EFFECT_ALLOW
      roles: ["*"]
      condition:
        match:
          expr: '"evil_genius" in P.attr.roles || ${EDITOR_OWNS}'
    - actions: [can_delete_todo]
      effect: EFFECT_ALLOW
      roles: ["*"]
      condition:
        match:
          expr: '"admin" in P.attr.roles || ${EDITOR_OWNS}'
`;
const CERBOS_USER = `apiVersion: api.cerbos.dev/v1
resourcePolicy:
  version: default
  resource: user
  rules:
    - actions: [can_read_user]
      effect: EFFECT_ALLOW
      roles: ["*"]
`;
