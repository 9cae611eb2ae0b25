import type { AuthzRequest } from './types.js';

/** A claim value a condition compares with. */
export type ClaimScalar = string | number | boolean;

/**
 * A condition of a built-in rule. Exactly one form per object:
 * - `{ role: 'admin' }`: the subject has the role; `{ scope: 'telemetry:read' }`: it was granted the scope;
 * - `{ admin: true }`: the subject is a configured admin; `{ owner: true }`: it owns the resource (same
 *   subject and issuer);
 * - `{ claim: 'department', equals: 'ops' }`, `{ claim: 'groups', contains: 'ops' }` (an array claim, or a
 *   space-separated string); `claim` may be a dotted path (`realm_access.roles`);
 * - `{ any: [...] }`, `{ all: [...] }`, `{ not: {...} }`; `true` always holds.
 *
 * @example
 * ```ts
 * const condition: RuleCondition = { all: [{ scope: 'telemetry:read' }, { any: [{ admin: true }, { owner: true }] }] };
 * ```
 */
export type RuleCondition =
  | true
  | { readonly role: string }
  | { readonly scope: string }
  | { readonly admin: true }
  | { readonly owner: true }
  | { readonly claim: string; readonly equals: ClaimScalar }
  | { readonly claim: string; readonly contains: ClaimScalar }
  | { readonly any: readonly RuleCondition[] }
  | { readonly all: readonly RuleCondition[] }
  | { readonly not: RuleCondition };

/**
 * A compiled condition: `true` when it holds; when it does not, the scopes that would make it hold (if
 * scopes alone would), else `false`.
 * @internal
 */
export type Test = (request: AuthzRequest) => true | false | readonly string[];

type Fail = (field: string, problem: string) => never;

const FORMS = ['role', 'scope', 'admin', 'owner', 'claim', 'any', 'all', 'not'];

/** Compiles a condition; `claims` collects the claim names it reads. @internal */
export function compileCondition(value: unknown, at: string, fail: Fail, claims: Set<string>): Test {
  if (value === true) return () => true;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(at, `must be true or an object with one of ${FORMS.join(', ')}`);
  }
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node);
  const form = keys.find((k) => FORMS.includes(k));
  if (form === undefined) return fail(at, `must have one of ${FORMS.join(', ')}`);
  const allowed = form === 'claim' ? ['claim', 'equals', 'contains'] : [form];
  for (const key of keys)
    if (!allowed.includes(key)) fail(`${at}.${key}`, `cannot be combined with "${form}"`);
  const operand = node[form];
  const text = (): string =>
    typeof operand === 'string' && operand !== ''
      ? operand
      : fail(`${at}.${form}`, 'must be a non-empty string');
  switch (form) {
    case 'role': {
      const role = text();
      return (r) => r.subject.roles.includes(role);
    }
    case 'scope': {
      const scope = text();
      const fix = Object.freeze([scope]);
      // The development identity holds every scope (as `missingScopes` says).
      return (r) => r.subject.authType === 'anonymous' || r.subject.scopes.includes(scope) || fix;
    }
    case 'admin':
      if (operand !== true) fail(`${at}.admin`, 'must be true');
      return (r) => r.subject.isAdmin;
    case 'owner':
      if (operand !== true) fail(`${at}.owner`, 'must be true');
      return ({ subject, resource }) =>
        resource.owner !== undefined &&
        resource.owner.subject === subject.id &&
        resource.owner.issuer === subject.issuer;
    case 'claim':
      return claimTest(node, at, text(), fail, claims);
    case 'not': {
      const inner = compileCondition(operand, `${at}.not`, fail, claims);
      return (r) => inner(r) !== true;
    }
    default:
      return combine(form as 'any' | 'all', operand, at, fail, claims);
  }
}

function claimTest(
  node: Record<string, unknown>,
  at: string,
  path: string,
  fail: Fail,
  claims: Set<string>,
): Test {
  const hasEquals = 'equals' in node;
  if (hasEquals === 'contains' in node) return fail(at, 'needs exactly one of "equals" and "contains"');
  const expected = hasEquals ? node.equals : node.contains;
  if (typeof expected !== 'string' && typeof expected !== 'number' && typeof expected !== 'boolean') {
    return fail(`${at}.${hasEquals ? 'equals' : 'contains'}`, 'must be a string, a number or a boolean');
  }
  const segments = path.split('.');
  if (segments.some((s) => s === '')) return fail(`${at}.claim`, 'must be a claim name or a dotted path');
  claims.add(segments[0]!);
  const read = (r: AuthzRequest): unknown => {
    let value: unknown = r.subject.claims;
    for (const segment of segments) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
      value = (value as Record<string, unknown>)[segment];
    }
    return value;
  };
  if (hasEquals) return (r) => read(r) === expected;
  return (r) => {
    const value = read(r);
    if (Array.isArray(value)) return value.includes(expected);
    return typeof value === 'string' && typeof expected === 'string' && value.split(/\s+/).includes(expected);
  };
}

function combine(form: 'any' | 'all', operand: unknown, at: string, fail: Fail, claims: Set<string>): Test {
  if (!Array.isArray(operand) || operand.length === 0)
    return fail(`${at}.${form}`, 'must be a non-empty array');
  const tests = operand.map((c, i) => compileCondition(c, `${at}.${form}[${i}]`, fail, claims));
  if (form === 'any') {
    return (r) => {
      let fix: readonly string[] | false = false;
      for (const test of tests) {
        const outcome = test(r);
        if (outcome === true) return true;
        if (outcome !== false && (fix === false || outcome.length < fix.length)) fix = outcome;
      }
      return fix;
    };
  }
  return (r) => {
    let needed: string[] | undefined;
    for (const test of tests) {
      const outcome = test(r);
      if (outcome === true) continue;
      if (outcome === false) return false;
      needed = [...(needed ?? []), ...outcome.filter((s) => !needed?.includes(s))];
    }
    return needed ?? true;
  };
}
