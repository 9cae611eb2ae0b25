import { normalizePublicUrl } from '../dpop/htu.js';
import { ConfigError } from '../errors.js';
import { ISSUER_RULE_JSON_NAMES } from '../issuers/validate.js';
import type { GatehouseConfig } from './create.js';
import { validateFailedAuthLimit, validateRateLimit, validateRedisUrl } from './shared.js';
import { type Spelling, validateAdmins, validateApiKeys, validateOidcOptions } from './validate.js';

/** The environment variables Gatehouse reads. This module is the only place that reads them. */
export const ENV = Object.freeze({
  apiKeys: 'GATEHOUSE_API_KEYS',
  oidcConfig: 'GATEHOUSE_OIDC_CONFIG',
  admins: 'GATEHOUSE_ADMINS',
  disableAuth: 'GATEHOUSE_DISABLE_AUTH',
  publicUrl: 'GATEHOUSE_PUBLIC_URL',
  clientCertificateHeader: 'GATEHOUSE_CLIENT_CERT_HEADER',
  redisUrl: 'GATEHOUSE_REDIS_URL',
  rateLimit: 'GATEHOUSE_RATE_LIMIT',
  failedAuthLimit: 'GATEHOUSE_FAILED_AUTH_LIMIT',
  trustProxy: 'GATEHOUSE_TRUST_PROXY',
  nodeEnv: 'NODE_ENV',
  host: 'HOST',
  port: 'PORT',
});

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

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the `GATEHOUSE_*` environment. Fails closed: nothing configured, malformed JSON,
 * a missing or empty field, or disabled auth under `NODE_ENV=production` throw a {@link ConfigError}
 * that names the variable and the field.
 *
 * @example
 * ```ts
 * const provider = createAuthProvider(loadConfigFromEnv());
 * ```
 */
export function loadConfigFromEnv(env: Env = process.env): GatehouseConfig {
  const environment = runtimeEnvironment(env);
  const disableAuth = readFlag(env, ENV.disableAuth);
  if (disableAuth && environment === 'production') {
    throw new ConfigError(
      'invalid_config',
      'is refused when NODE_ENV=production: never disable authentication in production',
      {
        variable: ENV.disableAuth,
      },
    );
  }
  const apiKeysJson = readJson(env, ENV.apiKeys);
  const oidcJson = readJson(env, ENV.oidcConfig);
  const adminsJson = readJson(env, ENV.admins);

  const config: { -readonly [K in keyof GatehouseConfig]: GatehouseConfig[K] } = { environment, disableAuth };
  if (apiKeysJson !== undefined) config.apiKeys = validateApiKeys(apiKeysJson, { variable: ENV.apiKeys });
  if (oidcJson !== undefined) {
    const spelling: Spelling = { variable: ENV.oidcConfig, names: OIDC_JSON_NAMES };
    config.oidc = validateOidcOptions(oidcJson, spelling);
  }
  config.admins = adminsJson === undefined ? [] : validateAdmins(adminsJson, { variable: ENV.admins });
  const publicUrl = readPublicUrl(env);
  if (publicUrl !== undefined) config.publicUrl = publicUrl;
  const certificateHeader = env[ENV.clientCertificateHeader]?.trim();
  if (certificateHeader) {
    if (!HEADER_NAME.test(certificateHeader)) {
      throw new ConfigError('invalid_config', 'must be an HTTP header name', {
        variable: ENV.clientCertificateHeader,
      });
    }
    config.clientCertificateHeader = certificateHeader.toLowerCase();
  }
  const redisUrl = env[ENV.redisUrl];
  if (redisUrl !== undefined && redisUrl.trim() !== '') {
    config.redisUrl = validateRedisUrl(redisUrl.trim(), { variable: ENV.redisUrl });
  }
  const rateLimit = readJson(env, ENV.rateLimit);
  if (rateLimit !== undefined)
    config.rateLimit = validateRateLimit(rateLimit, { variable: ENV.rateLimit, snake: true });
  const failedAuth = readJson(env, ENV.failedAuthLimit);
  if (failedAuth !== undefined) {
    config.failedAuthLimit = validateFailedAuthLimit(failedAuth, {
      variable: ENV.failedAuthLimit,
      snake: true,
    });
  }
  if (readFlag(env, ENV.trustProxy, 'must be 1 (or true) to trust X-Forwarded-For, 0 (or unset) otherwise')) {
    config.trustProxy = true;
  }

  if (!disableAuth && config.apiKeys === undefined && config.oidc === undefined) {
    throw new ConfigError(
      'missing_config',
      `no credentials are configured: set ${ENV.apiKeys} and/or ${ENV.oidcConfig} (or ${ENV.disableAuth}=1 for local development only)`,
    );
  }
  return config;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * The URL clients use to reach the service, which DPoP proofs name in `htu`: `GATEHOUSE_PUBLIC_URL`, else
 * `http://<HOST>:<PORT>` when the app listens on one address and a fixed port. Otherwise undefined, and
 * each request's own local address and port are used (never its `Host` header).
 */
function readPublicUrl(env: Env): string | undefined {
  const value = env[ENV.publicUrl]?.trim();
  if (value) {
    const normalized = normalizePublicUrl(value);
    if ('problem' in normalized) {
      throw new ConfigError('invalid_config', normalized.problem, { variable: ENV.publicUrl });
    }
    return normalized.url;
  }
  const port = Number(env[ENV.port]?.trim() || Number.NaN);
  const host = env[ENV.host]?.trim() || '127.0.0.1';
  // A wildcard address names no host a client could use; the per-request address decides then.
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || ['0.0.0.0', '::', '[::]'].includes(host)) {
    return undefined;
  }
  const origin = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  const normalized = normalizePublicUrl(origin);
  return 'url' in normalized ? normalized.url : undefined;
}

/** `NODE_ENV`, defaulting to `development` when unset. */
export function runtimeEnvironment(env: Env = process.env): string {
  const value = env[ENV.nodeEnv]?.trim();
  return value ? value : 'development';
}

function readFlag(
  env: Env,
  variable: string,
  problem = 'must be 1 (or true) to disable authentication, 0 (or unset) otherwise',
): boolean {
  const value = env[variable]?.trim().toLowerCase();
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new ConfigError('invalid_config', problem, { variable });
}

// An unset or blank variable is absent; anything else must be JSON. The parse error's text is not
// repeated: it would quote the value, which may hold secrets.
function readJson(env: Env, variable: string): unknown {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError('invalid_config', 'is not valid JSON', { variable });
  }
}
