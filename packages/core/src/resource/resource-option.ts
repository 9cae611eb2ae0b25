/**
 * The `resource` setting (RFC 9728 §2, RFC 8707): the identifier of the protected resource this service is,
 * and the optional fields of its metadata. Given in code as a URL or an object (camelCase), or in
 * `GATEHOUSE_RESOURCE` as a URL or JSON with the RFC's snake_case names. Checked once, where it enters
 * (its row in the configuration table).
 */
import { Checker, type Spelling } from '../config/checker.js';
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

/**
 * The `resource` setting, checked (`gate.config.resource`).
 *
 * @example
 * ```ts
 * const resource: ResolvedResource | undefined = gate.config.resource;
 * console.log(resource?.resource);
 * ```
 */
export interface ResolvedResource {
  readonly resource: string;
  readonly scopesSupported?: readonly string[];
  readonly resourceName?: string;
  readonly resourceDocumentation?: string;
  readonly authorizationServers?: readonly string[];
}

/**
 * The RFC 9728 names of the fields, as `GATEHOUSE_RESOURCE`'s JSON spells them, by option name.
 *
 * @example
 * ```ts
 * RESOURCE_JSON_NAMES.scopesSupported; // 'scopes_supported'
 * ```
 */
export const RESOURCE_JSON_NAMES: Readonly<Record<string, string>> = Object.freeze({
  scopesSupported: 'scopes_supported',
  resourceName: 'resource_name',
  resourceDocumentation: 'resource_documentation',
  authorizationServers: 'authorization_servers',
});

const FIELDS = ['resource', ...Object.keys(RESOURCE_JSON_NAMES)];
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Validates the `resource` setting: a URL, or {@link ResourceOptions} (in the environment, a URL or JSON
 * with the RFC 9728 snake_case names). Throws a `ConfigError` naming the variable or option and the field.
 *
 * @example
 * ```ts
 * validateResource('https://api.example.com/mcp', { prefix: 'resource.' }); // { resource: 'https://api.example.com/mcp' }
 * validateResource('{"resource":"https://api.example.com","scopes_supported":["read"]}', {
 *   variable: 'GATEHOUSE_RESOURCE',
 *   names: RESOURCE_JSON_NAMES,
 * });
 * ```
 */
export function validateResource(value: unknown, spelling: Spelling = {}): ResolvedResource {
  const c = new Checker(spelling);
  let given = value;
  if (typeof given === 'string' && spelling.variable !== undefined && given.trim().startsWith('{')) {
    try {
      given = JSON.parse(given);
    } catch {
      // The parser's message is not repeated: it would quote the value.
      c.fail('', 'is not valid JSON (give a URL, or a JSON object)');
    }
  }
  if (typeof given === 'string') return { resource: identifier(c, given.trim(), '') };
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    c.fail('', 'must be a URL or an object with "resource"');
  }
  const entry = given as Record<string, unknown>;
  c.noUnknownFields(entry, '', FIELDS);
  const n = (field: string) => c.name(field);
  const resolved: { -readonly [K in keyof ResolvedResource]: ResolvedResource[K] } = {
    resource: identifier(c, entry.resource, 'resource'),
  };
  const scopes = entry[n('scopesSupported')];
  if (scopes !== undefined) {
    resolved.scopesSupported = strings(c, scopes, n('scopesSupported'), (s) =>
      SCOPE_TOKEN.test(s) ? undefined : 'must be scope tokens (RFC 6749 §3.3)',
    );
  }
  const name = entry[n('resourceName')];
  if (name !== undefined) resolved.resourceName = c.nonEmptyString(name, n('resourceName'));
  const documentation = entry[n('resourceDocumentation')];
  if (documentation !== undefined) {
    const doc = c.nonEmptyString(documentation, n('resourceDocumentation'));
    if (!URL.canParse(doc) || !/^https?:$/.test(new URL(doc).protocol)) {
      c.fail(n('resourceDocumentation'), 'must be an http(s) URL');
    }
    resolved.resourceDocumentation = doc;
  }
  const servers = entry[n('authorizationServers')];
  if (servers !== undefined) {
    resolved.authorizationServers = strings(c, servers, n('authorizationServers'), urlProblem);
    if (resolved.authorizationServers.length === 0) {
      c.fail(n('authorizationServers'), 'must name at least one issuer (or be left out)');
    }
  }
  return Object.freeze(resolved);
}

/** RFC 8707 §2: an absolute URI without a fragment; here https (http on loopback) without credentials. */
function identifier(c: Checker, value: unknown, path: string): string {
  if (value === undefined || value === null || value === '') c.fail(path, 'is required (a URL)');
  if (typeof value !== 'string') c.fail(path, 'must be a URL');
  const problem = urlProblem(value);
  if (problem) c.fail(path, problem);
  return value;
}

function strings(
  c: Checker,
  value: unknown,
  path: string,
  problemOf: (item: string) => string | undefined,
): readonly string[] {
  if (!Array.isArray(value)) c.fail(path, 'must be an array of strings');
  return Object.freeze(
    value.map((item, i) => {
      const text = c.nonEmptyString(item, `${path}[${i}]`);
      const problem = problemOf(text);
      if (problem) c.fail(`${path}[${i}]`, problem);
      return text;
    }),
  );
}
