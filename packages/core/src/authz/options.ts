/**
 * The `authz` setting (`GATEHOUSE_AUTHZ` in the environment): its type, and its one validator, which the
 * configuration table runs on the option or on the variable, whichever gives the value. Only the shape is
 * checked here; policy files are read (and a bad policy named by file and line) when the gate is built.
 */
import { Checker, type Spelling } from '../config/checker.js';
import { urlProblem } from '../jwks/url.js';
import type { AuthzenOptions } from './authzen.js';
import type { CedarOptions } from './cedar.js';
import { type AuthzRule, type ConfigSource, createRulesPoint } from './rules.js';
import type { DecisionPoint } from './types.js';

/** What every backend shares: the claims it sees and the decision cache. */
interface AuthzCommon {
  /** Claims (top-level names) that reach the backend besides subject, issuer, scopes, roles and email. */
  readonly claims?: readonly string[];
  /** Decision cache: entries (default 10000) and seconds (default 60; never past the token's `exp`). */
  readonly cache?: { readonly size?: number; readonly ttlSecs?: number };
}

/**
 * The authorization step's configuration (the `authz` option; `GATEHOUSE_AUTHZ` in the environment):
 * built-in rules, Cedar policy files, an AuthZEN PDP, or a decision point of your own.
 *
 * @example
 * ```ts
 * const authz: AuthzOptions = { backend: 'cedar', policies: ['policies/telemetry.cedar'] };
 * ```
 */
export type AuthzOptions = AuthzCommon &
  (
    | { readonly backend: 'rules'; readonly rules: readonly AuthzRule[] }
    | ({ readonly backend: 'cedar' } & Omit<CedarOptions, 'logger' | 'policies'> & {
          readonly policies: string | readonly string[];
        })
    | ({ readonly backend: 'authzen' } & Omit<AuthzenOptions, 'logger'>)
    | { readonly backend: 'custom'; readonly point: DecisionPoint }
  );

/** How `GATEHOUSE_AUTHZ` spells the camelCase fields (snake_case JSON). @internal */
export const AUTHZ_JSON_NAMES: Readonly<Record<string, string>> = Object.freeze({
  ttlSecs: 'ttl_secs',
  timeoutMs: 'timeout_ms',
  subjectType: 'subject_type',
});

const FIELDS: Readonly<Record<AuthzOptions['backend'], readonly string[]>> = {
  rules: ['rules'],
  cedar: ['policies', 'schema', 'namespace', 'watch'],
  authzen: ['url', 'timeoutMs', 'headers', 'subjectType', 'discovery'],
  custom: ['point'],
};

/**
 * Validates the `authz` setting and returns it in its one shape (camelCase, `policies` a list). From the
 * environment the value is text: JSON with snake_case keys, an AuthZEN PDP URL, or comma-separated
 * `.cedar` files. Throws a `ConfigError` naming the variable or the option, and the field.
 * @internal
 */
export function validateAuthz(input: unknown, spelling: Spelling = {}): AuthzOptions {
  const c = new Checker(spelling);
  const value = c.object(typeof input === 'string' ? shorthand(input, c) : input, '');
  const backend = value.backend;
  if (typeof backend !== 'string' || !Object.hasOwn(FIELDS, backend)) {
    const choices = spelling.variable
      ? '"rules", "cedar" or "authzen"'
      : '"rules", "cedar", "authzen" or "custom"';
    return c.fail('backend', `must be ${choices}`);
  }
  if (backend === 'custom' && spelling.variable) c.fail('backend', 'custom is given in code only');
  c.noUnknownFields(value, '', ['backend', 'claims', 'cache', ...FIELDS[backend as AuthzOptions['backend']]]);
  const common: { claims?: string[]; cache?: { size?: number; ttlSecs?: number } } = {};
  if (value.claims !== undefined) {
    common.claims = c.list(value.claims, 'claims', { nonEmpty: false }).map((claim, i) => {
      return c.nonEmptyString(claim, `claims[${i}]`);
    });
  }
  if (value.cache !== undefined) {
    const cache = c.object(value.cache, 'cache');
    c.noUnknownFields(cache, 'cache', ['size', 'ttlSecs']);
    const ttl = c.name('ttlSecs');
    common.cache = {
      ...(cache.size !== undefined ? { size: c.integer(cache.size, 'cache.size', 0, 10_000_000) } : {}),
      ...(cache[ttl] !== undefined ? { ttlSecs: c.integer(cache[ttl], `cache.${ttl}`, 0, 86_400) } : {}),
    };
  }
  switch (backend) {
    case 'rules': {
      const rules = c.list(value.rules, 'rules', { nonEmpty: false }) as AuthzRule[];
      // Compiling validates every rule, naming the field; the gate compiles them again when it is built.
      createRulesPoint({ rules }, sourceOf(spelling));
      return Object.freeze({ backend, ...common, rules });
    }
    case 'cedar':
      return Object.freeze({ backend, ...common, ...cedar(c, value) });
    case 'authzen':
      return Object.freeze({ backend, ...common, ...authzen(c, value) });
    default: {
      const point = value.point as Partial<DecisionPoint> | undefined;
      if (typeof point?.evaluate !== 'function' || typeof point.evaluateMany !== 'function') {
        c.fail('point', 'must be a DecisionPoint (evaluate, evaluateMany, close)');
      }
      return Object.freeze({ backend: 'custom', ...common, point: point as DecisionPoint });
    }
  }
}

/** Where errors of the backends' own checks point: the variable, or the `authz` option. @internal */
function sourceOf(spelling: Spelling): ConfigSource {
  return { variable: spelling.variable, field: spelling.prefix?.replace(/\.$/, '') || undefined };
}

// GATEHOUSE_AUTHZ as text: JSON, a PDP URL, or policy files.
function shorthand(raw: string, c: Checker): unknown {
  const text = raw.trim();
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // The parser's message would quote the value, which may hold the PDP's credentials.
      return c.fail('', 'is not valid JSON');
    }
  }
  if (/^https?:\/\//i.test(text)) return { backend: 'authzen', url: text };
  const files = text.split(',').map((file) => file.trim());
  if (files.length > 0 && files.every((file) => file.endsWith('.cedar') && file.length > 6)) {
    return { backend: 'cedar', policies: files };
  }
  return c.fail('', 'must be JSON, an AuthZEN PDP URL, or .cedar policy files (comma-separated)');
}

function cedar(c: Checker, value: Record<string, unknown>) {
  const given = typeof value.policies === 'string' ? [value.policies] : value.policies;
  const policies = c.list(given, 'policies', { nonEmpty: true }).map((file, i) => {
    return c.nonEmptyString(file, `policies[${i}]`).trim();
  });
  return {
    policies,
    ...(value.schema !== undefined ? { schema: c.nonEmptyString(value.schema, 'schema').trim() } : {}),
    ...(value.namespace !== undefined ? { namespace: namespace(c, value.namespace) } : {}),
    ...(value.watch !== undefined ? { watch: c.boolean(value.watch, 'watch') } : {}),
  };
}

function namespace(c: Checker, value: unknown): string {
  const text = c.nonEmptyString(value, 'namespace');
  if (!/^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/.test(text)) {
    c.fail('namespace', 'must be a Cedar namespace (Name or Name::Sub)');
  }
  return text;
}

function authzen(c: Checker, value: Record<string, unknown>) {
  const url = c.nonEmptyString(value.url, 'url').trim();
  const problem = urlProblem(url);
  if (problem) c.fail('url', problem);
  const [timeout, subjectType] = [c.name('timeoutMs'), c.name('subjectType')];
  const headers: Record<string, string> = {};
  if (value.headers !== undefined) {
    for (const [name, header] of Object.entries(c.object(value.headers, 'headers'))) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) c.fail('headers', 'must have HTTP header names');
      // Never quoted: a header value is likely the PDP's credential.
      if (typeof header !== 'string' || /[\r\n]/.test(header)) c.fail(`headers.${name}`, 'must be a string');
      headers[name.toLowerCase()] = header;
    }
  }
  return {
    url,
    ...(value[timeout] !== undefined ? { timeoutMs: c.integer(value[timeout], timeout, 1, 60_000) } : {}),
    ...(value.headers !== undefined ? { headers } : {}),
    ...(value[subjectType] !== undefined
      ? { subjectType: c.nonEmptyString(value[subjectType], subjectType) }
      : {}),
    ...(value.discovery !== undefined ? { discovery: c.boolean(value.discovery, 'discovery') } : {}),
  };
}
