import type { AuditLogger } from '../audit.js';
import type { DecisionRecorder } from '../observability/metrics.js';
import { Authorizer } from './authorizer.js';
import { createAuthzenPoint } from './authzen.js';
import { createCedarPoint } from './cedar.js';
import { type AuthzOptions, validateAuthz } from './options.js';
import { type ConfigSource, createRulesPoint } from './rules.js';
import type { DecisionPoint } from './types.js';

/** What an {@link Authorizer} is built with besides its options. */
export interface AuthorizerExtras {
  /** Where the options came from, for error messages (default: the `authz` option). */
  readonly source?: ConfigSource;
  /** Receives `gatehouse.authz.reloaded`, `reload_failed` and `pdp_unreachable`. */
  readonly logger?: AuditLogger;
  /** Counts every decision (`gatehouse_authz_decisions_total`). */
  readonly recorder?: DecisionRecorder;
  /** The clock (milliseconds), for tests. */
  readonly now?: () => number;
}

/**
 * Validates `options` and builds the {@link Authorizer} (its decision point, cache and counters) on its
 * own, outside a gate (a gate builds its own from `authz` / `GATEHOUSE_AUTHZ`). Throws a `ConfigError`
 * naming the field at fault; a Cedar policy error names its file and line.
 *
 * @example
 * ```ts
 * const authorizer = createAuthorizer({ backend: 'rules', rules: [{ action: 'read', allow: { owner: true } }] });
 * ```
 */
export function createAuthorizer(options: AuthzOptions, extras: AuthorizerExtras = {}): Authorizer {
  const source = extras.source ?? { field: 'authz' };
  const settings = validateAuthz(options, source.field ? { prefix: `${source.field}.` } : {});
  return buildAuthorizer(settings, { ...extras, source });
}

/**
 * Builds the {@link Authorizer} of validated settings: reads and checks the Cedar policies, starts
 * discovering the AuthZEN PDP. @internal
 */
export function buildAuthorizer(settings: AuthzOptions, extras: AuthorizerExtras = {}): Authorizer {
  const source = extras.source ?? { field: 'authz' };
  let point: DecisionPoint;
  let used: readonly string[] = [];
  switch (settings.backend) {
    case 'rules': {
      const rules = createRulesPoint(settings, source);
      used = rules.claimsUsed;
      point = rules;
      break;
    }
    case 'cedar': {
      const policies = typeof settings.policies === 'string' ? [settings.policies] : settings.policies;
      point = createCedarPoint({ ...settings, policies, logger: extras.logger }, source);
      break;
    }
    case 'authzen':
      point = createAuthzenPoint({ ...settings, logger: extras.logger }, source);
      break;
    default:
      point = settings.point;
  }
  return new Authorizer({
    point,
    claims: [...new Set([...(settings.claims ?? []), ...used])],
    cache: settings.cache,
    recorder: extras.recorder,
    now: extras.now,
  });
}
