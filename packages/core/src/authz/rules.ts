/**
 * The built-in decision backend: rules from the configuration for the common cases (roles, scopes,
 * claims, the subject owning the resource, `any`/`all`/`not`), compiled once into closures. A request is
 * allowed when a rule that matches its action and resource type holds; otherwise it is denied, with the
 * scopes that would have satisfied a matching rule when adding scopes alone would.
 */
import { ConfigError } from '../errors.js';
import { shortDigest } from './digest.js';
import { compileCondition, type RuleCondition, type Test } from './rule-conditions.js';
import type { AuthzRequest, DecisionPoint, PointAnswer } from './types.js';

export type { RuleCondition } from './rule-conditions.js';

/**
 * One rule: for these actions on these resource types, allow when `allow` holds.
 *
 * @example
 * ```ts
 * const rule: AuthzRule = { action: ['read', 'list'], resource: 'process', allow: { any: [{ admin: true }, { owner: true }] } };
 * ```
 */
export interface AuthzRule {
  /** An action, several, or `*` for every action. */
  readonly action: string | readonly string[];
  /** A resource type, several, or `*` (the default) for every type. */
  readonly resource?: string | readonly string[];
  readonly allow: RuleCondition;
  /** The rule's name in audit lines (default `rules[<index>]`). */
  readonly id?: string;
}

/**
 * Where configuration came from, for the error message (`GATEHOUSE_AUTHZ: "rules[0].allow" …`).
 *
 * @example
 * ```ts
 * createRulesPoint({ rules }, { variable: 'GATEHOUSE_AUTHZ' });
 * ```
 */
export interface ConfigSource {
  readonly variable?: string;
  /** The path of the value being validated (`authz`, or empty for the variable's own JSON). */
  readonly field?: string;
}

interface CompiledRule {
  readonly id: string;
  readonly actions: ReadonlySet<string> | undefined;
  readonly types: ReadonlySet<string> | undefined;
  readonly test: Test;
  readonly policies: readonly string[];
}

/**
 * Validates and compiles rules; throws a `ConfigError` naming the field at fault.
 *
 * @example
 * ```ts
 * const point = createRulesPoint({ rules: [{ action: '*', allow: { role: 'admin' } }] });
 * ```
 */
export function createRulesPoint(
  options: { readonly rules: readonly AuthzRule[] },
  source: ConfigSource = {},
): DecisionPoint & { readonly claimsUsed: readonly string[] } {
  const base = source.field ? `${source.field}.rules` : 'rules';
  const fail = (field: string, problem: string): never => {
    throw new ConfigError('invalid_config', problem, { variable: source.variable, field });
  };
  if (!Array.isArray(options.rules)) fail(base, 'must be an array of rules');
  const claims = new Set<string>();
  const rules: CompiledRule[] = options.rules.map((rule, index) => {
    const at = `${base}[${index}]`;
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) fail(at, 'must be an object');
    for (const key of Object.keys(rule)) {
      if (!['action', 'resource', 'allow', 'id'].includes(key)) fail(`${at}.${key}`, 'is not a rule field');
    }
    if (rule.id !== undefined && (typeof rule.id !== 'string' || rule.id === '')) {
      fail(`${at}.id`, 'must be a non-empty string');
    }
    const id = rule.id ?? `rules[${index}]`;
    return {
      id,
      actions: names(rule.action, `${at}.action`, fail, true),
      types: names(rule.resource ?? '*', `${at}.resource`, fail, false),
      test: compileCondition(rule.allow, `${at}.allow`, fail, claims),
      policies: Object.freeze([id]),
    };
  });
  // The rules are the policy: the same rules, the same version (and cache keys).
  const version = `rules:${shortDigest(JSON.stringify(options.rules))}`;
  const evaluate = (request: AuthzRequest): PointAnswer => decide(rules, request);
  return {
    backend: 'rules',
    version,
    // A few closures over the subject: cheaper than building a cache key.
    cacheable: false,
    claimsUsed: [...claims],
    evaluate,
    evaluateMany: (requests) => requests.map(evaluate),
    close: () => {},
  };
}

function decide(rules: readonly CompiledRule[], request: AuthzRequest): PointAnswer {
  let fix: readonly string[] | undefined;
  for (const rule of rules) {
    if (rule.actions !== undefined && !rule.actions.has(request.action)) continue;
    if (rule.types !== undefined && !rule.types.has(request.resource.type)) continue;
    const outcome = rule.test(request);
    if (outcome === true) return { allowed: true, policies: rule.policies };
    if (outcome !== false && (fix === undefined || outcome.length < fix.length)) fix = outcome;
  }
  return fix === undefined ? DENIED : { allowed: false, scopes: fix };
}

const DENIED: PointAnswer = Object.freeze({ allowed: false });

function names(
  value: unknown,
  field: string,
  fail: (field: string, problem: string) => never,
  required: boolean,
): ReadonlySet<string> | undefined {
  if (value === undefined && required) fail(field, 'is required (an action, a list of them, or "*")');
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    return fail(field, 'must be a non-empty string or a non-empty array of non-empty strings');
  }
  return list.includes('*') ? undefined : new Set(list as string[]);
}
