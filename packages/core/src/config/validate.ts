import { isBearerToken } from '../http/bearer.js';
import type { IssuerRuleOptions } from '../issuers/options.js';
import { checkIssuerOverlaps, ISSUER_RULE_FIELDS, validateIssuerRules } from '../issuers/validate.js';
import { urlProblem } from '../jwks/url.js';
import { isSupportedAlgorithm, type JwsAlgorithm, SUPPORTED_ALGORITHMS } from '../jwt/algorithms.js';
import { utf8Bytes } from '../platform/encoding.js';
import { DPOP_MODES, type DpopMode } from '../sender/constraint.js';
import { MIN_NONCE_SECRET_BYTES } from '../sender/dpop-nonce.js';
import { Checker, type Spelling } from './checker.js';
import { DEFAULTS } from './defaults.js';

/**
 * Validation of the credentials' settings (API keys, OIDC issuers, admins), for the programmatic options
 * (camelCase) and the environment (snake_case JSON) alike: one validator per part, run once where the
 * configuration is resolved.
 */

/** One `issuers[i]` entry after validation: the basics and the per-issuer rules. */
export interface IssuerSettings extends IssuerRuleOptions {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly jwksUri?: string;
  readonly algorithms?: readonly JwsAlgorithm[];
  readonly backchannelLogoutAudience?: string | readonly string[];
  readonly dpop?: DpopMode;
  readonly introspection?: IntrospectionSettings;
}

/** OIDC settings after validation, defaults applied. */
export interface OidcSettings {
  readonly issuers: readonly IssuerSettings[];
  /** Shared secret of DPoP server nonces; nonces are required when it is set. */
  readonly dpopNonceSecret?: string;
  readonly jwksRefreshIntervalSecs: number;
  readonly jwksCooldownSecs: number;
  readonly tokenCacheSize: number;
  readonly tokenCacheTtlSecs: number;
  readonly clockToleranceSecs: number;
  readonly algorithms: readonly JwsAlgorithm[];
  readonly httpTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly dpopNonceRotationSecs: number;
}

/** How Gatehouse introspects one issuer's opaque tokens (RFC 7662), after validation. */
export interface IntrospectionSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The endpoint; from the issuer's discovery document when absent. */
  readonly endpoint?: string;
}

/** An API key entry after validation. */
export interface ApiKeySettings {
  readonly name: string;
  readonly key: string;
  readonly scopes?: readonly string[];
}

// Non-negative integer fields of the OIDC settings, with their upper bounds.
type IntegerField =
  | 'jwksRefreshIntervalSecs'
  | 'jwksCooldownSecs'
  | 'tokenCacheSize'
  | 'tokenCacheTtlSecs'
  | 'clockToleranceSecs'
  | 'httpTimeoutMs'
  | 'maxResponseBytes'
  | 'dpopNonceRotationSecs';
const INTEGER_FIELDS: readonly [IntegerField, number, number][] = [
  ['jwksRefreshIntervalSecs', 1, 7 * 24 * 3600],
  ['dpopNonceRotationSecs', 1, 24 * 3600],
  ['jwksCooldownSecs', 0, 24 * 3600],
  ['tokenCacheSize', 0, 10_000_000],
  ['tokenCacheTtlSecs', 0, 24 * 3600],
  ['clockToleranceSecs', 0, 3600],
  ['httpTimeoutMs', 1, 120_000],
  ['maxResponseBytes', 1024, 64 * 1024 * 1024],
];

/** What the OIDC settings take from the rest of the configuration. */
export interface OidcContext {
  /**
   * The audience of issuers configured without one: the resource identifier (RFC 8707), when a resource
   * is configured. Without it, every issuer needs its `audience`.
   */
  readonly defaultAudience?: string;
}

/**
 * Validates OIDC options (programmatic camelCase by default) and applies the defaults; throws
 * {@link ConfigError} naming the field.
 */
export function validateOidcOptions(
  input: unknown,
  spelling: Spelling = {},
  context: OidcContext = {},
): OidcSettings {
  const c: Checker = new Checker(spelling);
  const options = c.object(input, '');
  const n = (field: string) => c.name(field);
  c.noUnknownFields(options, '', [
    'issuers',
    'algorithms',
    'dpopNonceSecret',
    ...INTEGER_FIELDS.map(([field]) => field),
  ]);

  const algorithms = readAlgorithms(c, options[n('algorithms')], n('algorithms')) ?? [
    ...SUPPORTED_ALGORITHMS,
  ];
  let introspecting: string | undefined;
  const modes = new Map<string, DpopMode>();
  const issuers = c.list(options[n('issuers')], n('issuers'), { nonEmpty: true }).map((value, index) => {
    const path = `${n('issuers')}[${index}]`;
    const entry = c.object(value, path);
    c.noUnknownFields(entry, path, [
      'issuer',
      'audience',
      'jwksUri',
      'algorithms',
      'backchannelLogoutAudience',
      'dpop',
      'introspection',
      ...ISSUER_RULE_FIELDS,
    ]);
    const issuer = c.nonEmptyString(entry.issuer, `${path}.issuer`);
    const issuerProblem = urlProblem(issuer);
    if (issuerProblem) c.fail(`${path}.issuer`, issuerProblem);
    if (new URL(issuer).search) c.fail(`${path}.issuer`, 'must not contain a query');
    const audience =
      entry.audience === undefined && context.defaultAudience !== undefined
        ? context.defaultAudience
        : readAudience(c, entry.audience, `${path}.audience`);
    const jwksUriValue = entry[n('jwksUri')];
    let jwksUri: string | undefined;
    if (jwksUriValue !== undefined) {
      jwksUri = c.nonEmptyString(jwksUriValue, `${path}.${n('jwksUri')}`);
      const problem = urlProblem(jwksUri);
      if (problem) c.fail(`${path}.${n('jwksUri')}`, problem);
    }
    const issuerAlgorithms = readAlgorithms(c, entry[n('algorithms')], `${path}.${n('algorithms')}`);
    const logoutAudience = entry[n('backchannelLogoutAudience')];
    const backchannelLogoutAudience =
      logoutAudience === undefined
        ? undefined
        : readAudience(c, logoutAudience, `${path}.${n('backchannelLogoutAudience')}`);
    const rules = validateIssuerRules(entry, path, { issuer, audience, jwksUri }, c);
    const settings: { -readonly [K in keyof IssuerSettings]: IssuerSettings[K] } = {
      issuer,
      audience,
      jwksUri,
      algorithms: issuerAlgorithms,
      backchannelLogoutAudience,
      ...rules,
    };
    if (entry.dpop !== undefined) {
      if (!DPOP_MODES.includes(entry.dpop as DpopMode))
        c.fail(`${path}.dpop`, `must be one of ${DPOP_MODES.join(', ')}`);
      settings.dpop = entry.dpop as DpopMode;
    }
    // The same issuer listed twice (for two audiences) must not say two things about DPoP.
    const mode = settings.dpop ?? DEFAULTS.dpop;
    if ((modes.get(issuer) ?? mode) !== mode)
      c.fail(`${path}.dpop`, 'differs from an earlier entry of the same issuer');
    modes.set(issuer, mode);
    if (entry.introspection !== undefined) {
      // One issuer only: an opaque token names no issuer, so it could only be sent to a guessed one.
      if (introspecting !== undefined && introspecting !== issuer) {
        c.fail(`${path}.introspection`, 'is already set on another issuer (at most one issuer introspects)');
      }
      introspecting = issuer;
      settings.introspection = readIntrospection(c, entry.introspection, `${path}.introspection`);
    }
    return settings;
  });
  checkIssuerOverlaps(issuers, n('issuers'), c);

  let dpopNonceSecret: string | undefined;
  if (options[n('dpopNonceSecret')] !== undefined) {
    dpopNonceSecret = c.nonEmptyString(options[n('dpopNonceSecret')], n('dpopNonceSecret'));
    if (utf8Bytes(dpopNonceSecret).length < MIN_NONCE_SECRET_BYTES) {
      c.fail(n('dpopNonceSecret'), `must be at least ${MIN_NONCE_SECRET_BYTES} bytes`);
    }
  }

  const integers = {} as Record<IntegerField, number>;
  for (const [field, min, max] of INTEGER_FIELDS) {
    const value = options[n(field)];
    integers[field] = value === undefined ? DEFAULTS[field] : c.integer(value, n(field), min, max);
  }
  return dpopNonceSecret === undefined
    ? { issuers, algorithms, ...integers }
    : { issuers, algorithms, dpopNonceSecret, ...integers };
}

function readIntrospection(c: Checker, value: unknown, path: string): IntrospectionSettings {
  const entry = c.object(value, path);
  c.noUnknownFields(entry, path, ['clientId', 'clientSecret', 'endpoint']);
  const clientId = c.nonEmptyString(entry[c.name('clientId')], `${path}.${c.name('clientId')}`);
  const clientSecret = c.nonEmptyString(entry[c.name('clientSecret')], `${path}.${c.name('clientSecret')}`);
  if (entry.endpoint === undefined) return { clientId, clientSecret };
  const endpoint = c.nonEmptyString(entry.endpoint, `${path}.endpoint`);
  const problem = urlProblem(endpoint);
  if (problem) c.fail(`${path}.endpoint`, problem);
  return { clientId, clientSecret, endpoint };
}

function readAudience(c: Checker, value: unknown, path: string): string | readonly string[] {
  if (value === undefined) {
    c.fail(
      path,
      'is required, unless a resource is configured (then its identifier is the audience, RFC 8707)',
    );
  }
  if (Array.isArray(value)) {
    if (value.length === 0) c.fail(path, 'must not be empty');
    return value.map((item, i) => c.nonEmptyString(item, `${path}[${i}]`));
  }
  return c.nonEmptyString(value, path);
}

function readAlgorithms(c: Checker, value: unknown, path: string): JwsAlgorithm[] | undefined {
  if (value === undefined) return undefined;
  return c.list(value, path, { nonEmpty: true }).map((alg, i) => {
    if (!isSupportedAlgorithm(alg)) {
      c.fail(
        `${path}[${i}]`,
        `must be one of ${SUPPORTED_ALGORITHMS.join(', ')} (none and HS* are never allowed)`,
      );
    }
    return alg;
  });
}

/** Validates API key entries: a non-empty list of `{name, key}` with distinct, sendable keys. */
export function validateApiKeys(input: unknown, spelling: Spelling = {}): ApiKeySettings[] {
  const c: Checker = new Checker(spelling);
  const seen = new Set<string>();
  const entries = c.list(input, '', { nonEmpty: true }).map((value, index) => {
    const path = `[${index}]`;
    const entry = c.object(value, path);
    c.noUnknownFields(entry, path, ['name', 'key', 'scopes']);
    const name = c.nonEmptyString(entry.name, `${path}.name`);
    const key = c.nonEmptyString(entry.key, `${path}.key`);
    // The message names the entry, never the key itself.
    if (!isBearerToken(key)) {
      c.fail(`${path}.key`, 'must use only letters, digits and - . _ ~ + / (with optional trailing =)');
    }
    if (seen.has(key)) c.fail(`${path}.key`, 'duplicates the key of an earlier entry');
    seen.add(key);
    let scopes: string[] | undefined;
    if (entry.scopes !== undefined) {
      scopes = c
        .list(entry.scopes, `${path}.scopes`, { nonEmpty: false })
        .map((s, i) => c.nonEmptyString(s, `${path}.scopes[${i}]`));
    }
    return scopes ? { name, key, scopes } : { name, key };
  });
  return entries;
}

/** Validates the admins list: subjects or emails; an empty list means no admins. */
export function validateAdmins(input: unknown, spelling: Spelling = {}): string[] {
  const c: Checker = new Checker(spelling);
  return c.list(input, '', { nonEmpty: false }).map((value, i) => c.nonEmptyString(value, `[${i}]`));
}
