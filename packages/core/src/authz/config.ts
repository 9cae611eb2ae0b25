import type { AuditLogger } from '../audit.js';
import { ConfigError } from '../errors.js';
import type { DecisionRecorder } from '../observability/metrics.js';
import { Authorizer } from './authorizer.js';
import { type AuthzenOptions, createAuthzenPoint } from './authzen.js';
import { type CedarOptions, createCedarPoint } from './cedar.js';
import { type AuthzRule, type ConfigSource, createRulesPoint } from './rules.js';
import type { DecisionPoint } from './types.js';

/**
 * The environment variable of the authorization step.
 *
 * @example
 * ```ts
 * const raw = process.env[AUTHZ_VARIABLE];
 * const authorizer = raw ? createAuthorizer(authzFromEnv(raw), { source: { variable: AUTHZ_VARIABLE } }) : undefined;
 * ```
 */
export const AUTHZ_VARIABLE = 'GATEHOUSE_AUTHZ';

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
    | ({ readonly backend: 'rules' } & { readonly rules: readonly AuthzRule[] })
    | ({ readonly backend: 'cedar' } & Omit<CedarOptions, 'logger' | 'policies'> & {
          readonly policies: string | readonly string[];
        })
    | ({ readonly backend: 'authzen' } & Omit<AuthzenOptions, 'logger'>)
    | { readonly backend: 'custom'; readonly point: DecisionPoint }
  );

const SNAKE: Record<string, string> = {
  timeout_ms: 'timeoutMs',
  subject_type: 'subjectType',
  cache_size: 'size',
  cache_ttl_secs: 'ttlSecs',
};

/**
 * Reads `GATEHOUSE_AUTHZ`: JSON (snake_case keys: `backend`, `rules`, `policies`, `schema`, `namespace`,
 * `watch`, `url`, `timeout_ms`, `headers`, `subject_type`, `discovery`, `claims`, `cache_size`,
 * `cache_ttl_secs`), or a shorthand: an `https://` URL is an AuthZEN PDP, a comma-separated list of
 * `.cedar` files is the Cedar backend.
 *
 * @example
 * ```ts
 * authzFromEnv('policies/telemetry.cedar'); // { backend: 'cedar', policies: ['policies/telemetry.cedar'] }
 * ```
 */
export function authzFromEnv(raw: string): AuthzOptions {
  const value = raw.trim();
  const where = { variable: AUTHZ_VARIABLE };
  if (/^https?:\/\//i.test(value)) return { backend: 'authzen', url: value };
  if (!value.startsWith('{')) {
    const files = value.split(',').map((f) => f.trim());
    if (files.every((f) => f.endsWith('.cedar'))) return { backend: 'cedar', policies: files };
    throw new ConfigError(
      'invalid_config',
      'must be JSON, an AuthZEN PDP URL, or .cedar policy files',
      where,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError('invalid_config', 'is not valid JSON', where);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('invalid_config', 'must be a JSON object', where);
  }
  const options: Record<string, unknown> = {};
  const cache: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(parsed)) {
    if (key === 'cache_size' || key === 'cache_ttl_secs') cache[SNAKE[key]!] = item;
    else options[SNAKE[key] ?? key] = item;
  }
  if (Object.keys(cache).length > 0) options.cache = cache;
  return options as unknown as AuthzOptions;
}

/**
 * Validates `options` and builds the {@link Authorizer} (its decision point, cache and counters). Throws a
 * `ConfigError` naming the variable and field at fault; a Cedar policy error names its file and line.
 *
 * @example
 * ```ts
 * const authorizer = createAuthorizer({ backend: 'rules', rules: [{ action: 'read', allow: { owner: true } }] });
 * ```
 */
export function createAuthorizer(
  options: AuthzOptions,
  extras: {
    source?: ConfigSource;
    logger?: AuditLogger;
    recorder?: DecisionRecorder;
    now?: () => number;
  } = {},
): Authorizer {
  const source = extras.source ?? { field: 'authz' };
  const at = (name: string) => (source.field ? `${source.field}.${name}` : name);
  const fail = (name: string, problem: string): never => {
    throw new ConfigError('invalid_config', problem, { variable: source.variable, field: at(name) });
  };
  if (options === null || typeof options !== 'object') return fail('backend', 'is required');
  const claims = options.claims ?? [];
  if (!Array.isArray(claims) || claims.some((c) => typeof c !== 'string' || c === '')) {
    fail('claims', 'must be an array of claim names');
  }
  const cache = options.cache ?? {};
  for (const [name, value] of Object.entries(cache)) {
    if (name !== 'size' && name !== 'ttlSecs') fail(`cache.${name}`, 'is not a cache field (size, ttlSecs)');
    if (!Number.isInteger(value) || (value as number) < 0)
      fail(`cache.${name}`, 'must be a non-negative integer');
  }
  let point: DecisionPoint;
  let used: readonly string[] = [];
  switch (options.backend) {
    case 'rules': {
      const rules = createRulesPoint(options, source);
      used = rules.claimsUsed;
      point = rules;
      break;
    }
    case 'cedar': {
      const policies = typeof options.policies === 'string' ? [options.policies] : options.policies;
      if (options.schema !== undefined && typeof options.schema !== 'string')
        fail('schema', 'must be a file path');
      point = createCedarPoint({ ...options, policies, logger: extras.logger }, source);
      break;
    }
    case 'authzen':
      point = createAuthzenPoint({ ...options, logger: extras.logger }, source);
      break;
    case 'custom':
      if (typeof options.point?.evaluate !== 'function') fail('point', 'must be a DecisionPoint');
      point = options.point;
      break;
    default:
      return fail('backend', 'must be "rules", "cedar", "authzen" or "custom"');
  }
  return new Authorizer({
    point,
    claims: [...new Set([...claims, ...used])],
    cache,
    recorder: extras.recorder,
    now: extras.now,
  });
}
