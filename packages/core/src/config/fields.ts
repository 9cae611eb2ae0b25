/**
 * The one table of configurable fields: for each, its option name, its `GATEHOUSE_*` variable, how the
 * variable is read, and its one validator (run on the option or the variable, whichever gives the value).
 * A new setting is a new row here. Rows are resolved in order: a validator that depends on another
 * setting (OIDC issuers without `audience` take the resource's identifier) comes after it.
 */

import { AUTHZ_JSON_NAMES, validateAuthz } from '../authz/options.js';
import { ISSUER_RULE_JSON_NAMES } from '../issuers/validate.js';
import { RESOURCE_JSON_NAMES, type ResolvedResource, validateResource } from '../resource/resource-option.js';
import { normalizePublicUrl } from '../sender/dpop-htu.js';
import { Checker, type Spelling } from './checker.js';
import {
  validateFailedAuthLimit,
  validateRateLimit,
  validateRedisSettings,
  validateRedisUrl,
} from './limits.js';
import type { ConfigField } from './options.js';
import { validateAdmins, validateApiKeys, validateOidcOptions } from './validate.js';

/** One configurable field. */
export interface FieldSpec {
  /** The environment variable. */
  readonly variable: string;
  /** How the variable's text is read. */
  readonly read: 'text' | 'json' | 'flag';
  /** For flags: what `1` means, for the error message. */
  readonly meaning?: string;
  /** The environment's spellings of nested fields, by camelCase name (snake_case JSON). */
  readonly names?: Readonly<Record<string, string>>;
  /** The option's path prefix in errors: `oidc.` for an object, `apiKeys` for a list or a value. */
  readonly prefix: string;
  /**
   * Validates a value (the option's, or the variable's once read) and returns the setting. `earlier`
   * holds the settings of the rows above this one.
   */
  check(
    value: unknown,
    spelling: Spelling,
    earlier: Readonly<Partial<Record<ConfigField, unknown>>>,
  ): unknown;
}

const OIDC_JSON_NAMES: Readonly<Record<string, string>> = {
  backchannelLogoutAudience: 'backchannel_logout_audience',
  jwksUri: 'jwks_uri',
  jwksRefreshIntervalSecs: 'jwks_refresh_interval_secs',
  jwksCooldownSecs: 'jwks_cooldown_secs',
  tokenCacheSize: 'token_cache_size',
  tokenCacheTtlSecs: 'token_cache_ttl_secs',
  clockToleranceSecs: 'clock_tolerance_secs',
  httpTimeoutMs: 'http_timeout_ms',
  maxResponseBytes: 'max_response_bytes',
  dpopNonceSecret: 'dpop_nonce_secret',
  dpopNonceRotationSecs: 'dpop_nonce_rotation_secs',
  clientId: 'client_id',
  clientSecret: 'client_secret',
  ...ISSUER_RULE_JSON_NAMES,
};

const WINDOW_NAMES = { windowSecs: 'window_secs' };
const REDIS_NAMES = {
  sentinelUsername: 'sentinel_username',
  sentinelPassword: 'sentinel_password',
  keyPrefix: 'key_prefix',
  replicaAcks: 'replica_acks',
  replicaWaitMs: 'replica_wait_ms',
};
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function flag(value: unknown, spelling: Spelling): boolean {
  return new Checker(spelling).boolean(value, '');
}

function text(value: unknown, spelling: Spelling): string {
  return new Checker(spelling).nonEmptyString(value, '').trim();
}

function publicUrl(value: unknown, spelling: Spelling): string {
  const normalized = normalizePublicUrl(text(value, spelling));
  return 'url' in normalized ? normalized.url : new Checker(spelling).fail('', normalized.problem);
}

function headerName(value: unknown, spelling: Spelling): string {
  const name = text(value, spelling);
  if (!HEADER_NAME.test(name)) new Checker(spelling).fail('', 'must be an HTTP header name');
  return name.toLowerCase();
}

/**
 * Every field that options or the environment can set, with its variable.
 *
 * @example
 * ```ts
 * console.error(`set ${CONFIG_FIELDS.redisUrl.variable} to share state`); // GATEHOUSE_REDIS_URL
 * ```
 */
export const CONFIG_FIELDS: Readonly<Record<ConfigField, FieldSpec>> = Object.freeze({
  apiKeys: { variable: 'GATEHOUSE_API_KEYS', read: 'json', prefix: 'apiKeys', check: validateApiKeys },
  // A URL or JSON: read as text, its validator parses JSON.
  resource: {
    variable: 'GATEHOUSE_RESOURCE',
    read: 'text',
    names: RESOURCE_JSON_NAMES,
    prefix: 'resource.',
    check: validateResource,
  },
  oidc: {
    variable: 'GATEHOUSE_OIDC_CONFIG',
    read: 'json',
    names: OIDC_JSON_NAMES,
    prefix: 'oidc.',
    check: (value, spelling, earlier) =>
      validateOidcOptions(value, spelling, {
        defaultAudience: (earlier.resource as ResolvedResource | undefined)?.resource,
      }),
  },
  admins: { variable: 'GATEHOUSE_ADMINS', read: 'json', prefix: 'admins', check: validateAdmins },
  disableAuth: {
    variable: 'GATEHOUSE_DISABLE_AUTH',
    read: 'flag',
    meaning: 'to disable authentication',
    prefix: 'disableAuth',
    check: flag,
  },
  environment: { variable: 'NODE_ENV', read: 'text', prefix: 'environment', check: text },
  publicUrl: { variable: 'GATEHOUSE_PUBLIC_URL', read: 'text', prefix: 'publicUrl', check: publicUrl },
  clientCertificateHeader: {
    variable: 'GATEHOUSE_CLIENT_CERT_HEADER',
    read: 'text',
    prefix: 'clientCertificateHeader',
    check: headerName,
  },
  redisUrl: { variable: 'GATEHOUSE_REDIS_URL', read: 'text', prefix: 'redisUrl', check: validateRedisUrl },
  redis: {
    variable: 'GATEHOUSE_REDIS_CONFIG',
    read: 'json',
    names: REDIS_NAMES,
    prefix: 'redis.',
    check: validateRedisSettings,
  },
  rateLimit: {
    variable: 'GATEHOUSE_RATE_LIMIT',
    read: 'json',
    names: WINDOW_NAMES,
    prefix: 'rateLimit.',
    check: validateRateLimit,
  },
  failedAuthLimit: {
    variable: 'GATEHOUSE_FAILED_AUTH_LIMIT',
    read: 'json',
    names: WINDOW_NAMES,
    prefix: 'failedAuthLimit.',
    check: validateFailedAuthLimit,
  },
  trustProxy: {
    variable: 'GATEHOUSE_TRUST_PROXY',
    read: 'flag',
    meaning: 'to trust X-Forwarded-For',
    prefix: 'trustProxy',
    check: flag,
  },
  // Text, not JSON: besides JSON it may be a PDP URL or policy files (the validator reads all three).
  authz: {
    variable: 'GATEHOUSE_AUTHZ',
    read: 'text',
    names: AUTHZ_JSON_NAMES,
    prefix: 'authz.',
    check: validateAuthz,
  },
});

/**
 * The environment variables Gatehouse reads, by field (plus `HOST` and `PORT`, the listening address a
 * default public URL is made of).
 *
 * @example
 * ```ts
 * process.env[ENV.rateLimit] = JSON.stringify({ requests: 100, window_secs: 60 });
 * ```
 */
export const ENV = Object.freeze({
  ...(Object.fromEntries(
    Object.entries(CONFIG_FIELDS).map(([field, spec]) => [field, spec.variable]),
  ) as Record<ConfigField, string>),
  host: 'HOST',
  port: 'PORT',
});
