import { ConfigError } from '../errors.js';
import { resourceMetadataPaths } from '../resource/metadata-document.js';
import type { ResolvedResource } from '../resource/resource-option.js';
import { Checker, type Spelling } from './checker.js';
import { DEFAULTS } from './defaults.js';
import { processEnv, readFlag, readJson, readText } from './env.js';
import { CONFIG_FIELDS, ENV } from './fields.js';
import { checkRedisSettings } from './limits.js';
import type {
  ConfigField,
  EnvRecord,
  GatehouseConfig,
  ResolvedConfig,
  ResolvedRoutes,
  RoutesOptions,
} from './options.js';

/** What {@link resolveConfig} reads besides the configuration: whether a ready provider replaces the credentials. */
export interface ResolveOptions extends GatehouseConfig {
  /** A provider given in code: then no credentials (apiKeys, oidc, disableAuth, admins) may be configured. */
  readonly provider?: unknown;
}

// The fields that describe credentials, which a given provider replaces.
const CREDENTIAL_FIELDS: readonly ConfigField[] = ['apiKeys', 'oidc', 'disableAuth', 'admins'];

/**
 * Resolves a configuration once: options given in code win field by field, every `GATEHOUSE_*` variable
 * fills what they leave out (`env: false` reads none), each value is validated by its one validator and
 * defaults are applied. Fails closed with a {@link ConfigError} naming the option's field or the variable
 * (and the field inside it): nothing configured, malformed values, disabled auth in production,
 * credentials configured beside a given provider.
 *
 * @example
 * ```ts
 * const config = resolveConfig({ routes: true, env: { GATEHOUSE_API_KEYS: '[{"name":"svc","key":"k-1"}]' } });
 * config.apiKeys?.[0]?.name; // 'svc'
 * config.sources.apiKeys; // 'GATEHOUSE_API_KEYS'
 * ```
 */
export function resolveConfig(options: ResolveOptions = {}): ResolvedConfig {
  const env: EnvRecord =
    options.env === false ? {} : ((options.env as EnvRecord | undefined) ?? processEnv());
  const values: Partial<Record<ConfigField, unknown>> = {};
  const sources: Partial<Record<ConfigField, string>> = {};
  for (const [field, spec] of Object.entries(CONFIG_FIELDS) as [
    ConfigField,
    (typeof CONFIG_FIELDS)[ConfigField],
  ][]) {
    const given = options[field];
    if (given !== undefined) {
      values[field] = spec.check(given, { prefix: spec.prefix }, values);
      sources[field] = 'options';
      continue;
    }
    const raw =
      spec.read === 'json'
        ? readJson(env, spec.variable)
        : spec.read === 'flag'
          ? readFlag(env, spec.variable, spec.meaning ?? '')
          : readText(env, spec.variable);
    if (raw === undefined) continue;
    values[field] = spec.check(raw, { variable: spec.variable, names: spec.names }, values);
    sources[field] = spec.variable;
  }
  const environment = (values.environment as string | undefined) ?? DEFAULTS.environment;
  const disableAuth = values.disableAuth === true;
  if (disableAuth && environment === 'production') {
    const production =
      sources.environment === ENV.environment
        ? `${ENV.environment}=production`
        : 'the environment is production';
    throw new ConfigError(
      'invalid_config',
      `is refused when ${production}: never disable authentication in production`,
      where(sources, 'disableAuth'),
    );
  }
  if (options.provider !== undefined) {
    for (const field of CREDENTIAL_FIELDS) {
      if (sources[field] === undefined || (field === 'disableAuth' && !disableAuth)) continue;
      throw new ConfigError(
        'invalid_config',
        sources[field] === 'options'
          ? 'cannot be given beside a provider: give either a provider or the credentials'
          : 'is set, but the gate was given a provider: unset it, or pass env: false',
        where(sources, field),
      );
    }
  } else if (!disableAuth && values.apiKeys === undefined && values.oidc === undefined) {
    throw new ConfigError(
      'missing_config',
      `no credentials are configured: set ${ENV.apiKeys} and/or ${ENV.oidc}, or give apiKeys and/or oidc in the options (or ${ENV.disableAuth}=1 for local development only)`,
    );
  }
  const redis = values.redis as ResolvedConfig['redis'];
  checkRedisSettings(
    redis,
    values.redisUrl as string | undefined,
    spellingOf(sources, 'redis'),
    sources.redisUrl === 'options' ? 'redisUrl' : ENV.redisUrl,
  );
  const c = new Checker({});
  const maxTokenLength = options.maxTokenLength ?? DEFAULTS.maxTokenLength;
  c.integer(maxTokenLength, 'maxTokenLength', 16, 1_000_000);
  const realm = options.realm === undefined ? DEFAULTS.realm : c.nonEmptyString(options.realm, 'realm');
  const resource = values.resource as ResolvedResource | undefined;
  return Object.freeze({
    apiKeys: values.apiKeys as ResolvedConfig['apiKeys'],
    oidc: values.oidc as ResolvedConfig['oidc'],
    admins: (values.admins as string[] | undefined) ?? [],
    disableAuth,
    environment,
    publicUrl: (values.publicUrl as string | undefined) ?? listeningUrl(env),
    resource,
    clientCertificateHeader: values.clientCertificateHeader as string | undefined,
    redisUrl: values.redisUrl as string | undefined,
    redis,
    rateLimit: values.rateLimit as ResolvedConfig['rateLimit'],
    failedAuthLimit: values.failedAuthLimit as ResolvedConfig['failedAuthLimit'],
    trustProxy: values.trustProxy === true,
    authz: values.authz as ResolvedConfig['authz'],
    realm,
    maxTokenLength,
    publicPaths: options.publicPaths ?? [],
    routes: resolveRoutes(options.routes, resource),
    revocation: options.revocation ?? {},
    backchannelLogout: options.backchannelLogout ?? {},
    sources: Object.freeze(sources),
  });
}

function where(
  sources: Partial<Record<ConfigField, string>>,
  field: ConfigField,
): { variable?: string; field?: string } {
  return sources[field] === 'options' || sources[field] === undefined
    ? { field }
    : { variable: sources[field] };
}

// How a field's value was spelled where it came from (for errors found across fields).
function spellingOf(sources: Partial<Record<ConfigField, string>>, field: ConfigField): Spelling {
  const spec = CONFIG_FIELDS[field];
  return sources[field] === 'options'
    ? { prefix: spec.prefix }
    : { variable: spec.variable, names: spec.names };
}

/**
 * `http://<HOST>:<PORT>` when the service listens on one address and a fixed port (what clients use when
 * nothing else says so); undefined otherwise, and each request's own local address is used (never its
 * `Host` header).
 */
function listeningUrl(env: EnvRecord): string | undefined {
  const port = Number(readText(env, ENV.port) ?? Number.NaN);
  const host = readText(env, ENV.host) ?? '127.0.0.1';
  // A wildcard address names no host a client could use; the per-request address decides then.
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || ['0.0.0.0', '::', '[::]'].includes(host)) {
    return undefined;
  }
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${bracketed}:${port}`;
}

// The routes at a path of the user's choosing (resource metadata is at the paths RFC 9728 fixes).
type PathRoute = Exclude<keyof ResolvedRoutes, 'resourceMetadata'>;

const ROUTE_PATHS: Readonly<Record<PathRoute, string>> = Object.freeze({
  ready: '/ready',
  metrics: '/metrics',
  revocations: '/v1/admin/revocations',
  backchannelLogout: '/v1/backchannel-logout',
});

/**
 * `routes` resolved into the full path of each route served (`true`: all, at their default paths), and
 * the resource metadata's paths when a resource is configured.
 */
function resolveRoutes(
  routes: boolean | RoutesOptions | undefined,
  resource: ResolvedResource | undefined,
): ResolvedRoutes | undefined {
  if (routes === undefined || routes === false) return undefined;
  const c = new Checker({ prefix: 'routes.' });
  if (routes !== true) {
    c.object(routes, '');
    c.noUnknownFields(routes as Record<string, unknown>, '', [
      'prefix',
      'resourceMetadata',
      ...Object.keys(ROUTE_PATHS),
    ]);
  }
  const chosen: RoutesOptions = routes === true ? {} : routes;
  const prefix = chosen.prefix === undefined ? '' : path(c, chosen.prefix, 'prefix').replace(/\/$/, '');
  const resolved = {} as Record<PathRoute, string | undefined>;
  for (const [name, fallback] of Object.entries(ROUTE_PATHS) as [PathRoute, string][]) {
    const choice = chosen[name] ?? true;
    if (choice === false) resolved[name] = undefined;
    else if (choice === true) resolved[name] = `${prefix}${fallback}`;
    else resolved[name] = `${prefix}${path(c, choice, name)}`;
  }
  const metadata = chosen.resourceMetadata;
  if (metadata !== undefined && typeof metadata !== 'boolean') {
    c.fail('resourceMetadata', 'must be true or false (RFC 9728 fixes its paths)');
  }
  // Asked for by name without a resource: a configured feature must never be silently off.
  if (metadata === true && resource === undefined) {
    c.fail('resourceMetadata', `needs a resource: set ${ENV.resource} or the resource option`);
  }
  const resourceMetadata =
    metadata === false || resource === undefined ? undefined : resourceMetadataPaths(resource.resource);
  const served = [...Object.values(resolved), ...(resourceMetadata ?? [])].filter((p) => p !== undefined);
  if (new Set(served).size !== served.length) c.fail('', 'serves two routes at the same path');
  return Object.freeze({ ...resolved, resourceMetadata });
}

function path(c: Checker, value: unknown, field: string): string {
  if (typeof value !== 'string') c.fail(field, 'must be true, false or a path');
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(value) || value.includes('//') || value.includes('/../')) {
    c.fail(field, 'must be a path starting with /');
  }
  return value;
}
