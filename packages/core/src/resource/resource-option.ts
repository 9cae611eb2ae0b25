/**
 * The `resource` setting (RFC 9728 §2, RFC 8707): the identifier of the protected resource this service is,
 * and the optional fields of its metadata. Given in code as a URL or an object (camelCase), or in
 * `GATEHOUSE_RESOURCE` as a URL or JSON with the RFC's snake_case names. Checked once, where it enters.
 */
import { ConfigError } from '../errors.js';
import { urlProblem } from '../jwks/url.js';

/**
 * The object form of the `resource` option.
 *
 * @example
 * ```ts
 * const resource: ResourceOptions = {
 *   resource: 'https://mcp.example.com/mcp',
 *   scopesSupported: ['telemetry:read', 'telemetry:write'],
 *   resourceName: 'Telemetry MCP server',
 * };
 * ```
 */
export interface ResourceOptions {
  /** The resource identifier: an `https://` URL (`http://` only on loopback), no fragment. */
  readonly resource: string;
  /** `scopes_supported`. */
  readonly scopesSupported?: readonly string[];
  /** `resource_name`: a human-readable name. */
  readonly resourceName?: string;
  /** `resource_documentation`: a URL of documentation for developers. */
  readonly resourceDocumentation?: string;
  /** `authorization_servers`: issuer identifiers. Default: the configured issuers. */
  readonly authorizationServers?: readonly string[];
}

/** The `resource` setting, checked. */
export interface ResolvedResource {
  readonly resource: string;
  readonly scopesSupported?: readonly string[];
  readonly resourceName?: string;
  readonly resourceDocumentation?: string;
  readonly authorizationServers?: readonly string[];
}

interface Where {
  /** The environment variable the value came from, if it did. */
  readonly variable?: string;
  /** The option's name in code. Default `resource`. */
  readonly option?: string;
}

/**
 * Checks the `resource` option: a URL, or {@link ResourceOptions}. Throws a {@link ConfigError} naming the
 * field at fault.
 *
 * @example
 * ```ts
 * resolveResourceOption('https://api.example.com/mcp'); // { resource: 'https://api.example.com/mcp' }
 * ```
 */
export function resolveResourceOption(value: string | ResourceOptions, where: Where = {}): ResolvedResource {
  const name = where.option ?? 'resource';
  if (typeof value === 'string') return { resource: identifier(value, name, where) };
  if (!isObject(value)) throw invalid('must be a URL or an object with "resource"', name, where);
  const known = [
    'resource',
    'scopesSupported',
    'resourceName',
    'resourceDocumentation',
    'authorizationServers',
  ];
  return fields(value, known, (key) => `${name}.${key}`, where);
}

/**
 * Reads `GATEHOUSE_RESOURCE`: the resource identifier, or JSON `{"resource", "scopes_supported",
 * "resource_name", "resource_documentation", "authorization_servers"}`. Throws a {@link ConfigError}
 * naming the variable and the field.
 *
 * @example
 * ```ts
 * parseResourceVariable('{"resource":"https://api.example.com","scopes_supported":["read"]}', 'GATEHOUSE_RESOURCE');
 * ```
 */
export function parseResourceVariable(raw: string, variable: string): ResolvedResource {
  const text = raw.trim();
  const where = { variable };
  if (!text.startsWith('{')) return { resource: identifier(text, 'resource', where) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError('invalid_config', 'is not valid JSON (a URL, or a JSON object)', where);
  }
  if (!isObject(parsed)) throw invalid('must be a URL or a JSON object with "resource"', 'resource', where);
  const snake: Record<string, string> = {
    resource: 'resource',
    scopes_supported: 'scopesSupported',
    resource_name: 'resourceName',
    resource_documentation: 'resourceDocumentation',
    authorization_servers: 'authorizationServers',
  };
  for (const key of Object.keys(parsed)) {
    if (!(key in snake)) {
      throw new ConfigError(
        'invalid_config',
        `is not a known field (known: ${Object.keys(snake).join(', ')})`,
        {
          ...where,
          field: key,
        },
      );
    }
  }
  const camel = Object.fromEntries(Object.entries(parsed).map(([key, v]) => [snake[key]!, v]));
  const toSnake = Object.fromEntries(Object.entries(snake).map(([s, c]) => [c, s]));
  return fields(camel, Object.values(snake), (key) => toSnake[key] ?? key, where);
}

function fields(
  value: Record<string, unknown>,
  known: readonly string[],
  fieldName: (key: string) => string,
  where: Where,
): ResolvedResource {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw invalid(`is not a known field (known: ${known.join(', ')})`, fieldName(key), where);
    }
  }
  if (value.resource === undefined) throw invalid('is required', fieldName('resource'), where);
  const resolved: { -readonly [K in keyof ResolvedResource]: ResolvedResource[K] } = {
    resource: identifier(value.resource, fieldName('resource'), where),
  };
  if (value.scopesSupported !== undefined) {
    resolved.scopesSupported = strings(value.scopesSupported, fieldName('scopesSupported'), where, (s) =>
      /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s) ? undefined : 'must be scope tokens (RFC 6749 §3.3)',
    );
  }
  if (value.resourceName !== undefined) {
    if (typeof value.resourceName !== 'string' || value.resourceName.trim() === '') {
      throw invalid('must be a non-empty string', fieldName('resourceName'), where);
    }
    resolved.resourceName = value.resourceName;
  }
  if (value.resourceDocumentation !== undefined) {
    const doc = value.resourceDocumentation;
    if (typeof doc !== 'string' || !URL.canParse(doc) || !/^https?:$/.test(new URL(doc).protocol)) {
      throw invalid('must be an http(s) URL', fieldName('resourceDocumentation'), where);
    }
    resolved.resourceDocumentation = doc;
  }
  if (value.authorizationServers !== undefined) {
    resolved.authorizationServers = strings(
      value.authorizationServers,
      fieldName('authorizationServers'),
      where,
      urlProblem,
    );
    if (resolved.authorizationServers.length === 0) {
      throw invalid(
        'must name at least one issuer (or be left out)',
        fieldName('authorizationServers'),
        where,
      );
    }
  }
  return resolved;
}

/** RFC 8707 §2: an absolute URI without a fragment; here https (http on loopback) without credentials. */
function identifier(value: unknown, field: string, where: Where): string {
  if (typeof value !== 'string' || value === '') throw invalid('is required (a URL)', field, where);
  const problem = urlProblem(value);
  if (problem) throw invalid(problem, field, where);
  return value;
}

function strings(
  value: unknown,
  field: string,
  where: Where,
  problemOf: (item: string) => string | undefined,
): readonly string[] {
  if (!Array.isArray(value)) throw invalid('must be an array of strings', field, where);
  return Object.freeze(
    value.map((item, i) => {
      if (typeof item !== 'string' || item === '')
        throw invalid('must be a non-empty string', `${field}[${i}]`, where);
      const problem = problemOf(item);
      if (problem) throw invalid(problem, `${field}[${i}]`, where);
      return item;
    }),
  );
}

function invalid(problem: string, field: string, where: Where): ConfigError {
  return new ConfigError('invalid_config', problem, {
    ...(where.variable ? { variable: where.variable } : {}),
    field,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
