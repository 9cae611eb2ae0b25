import { urlProblem } from '../jwks/url.js';
import { type ClaimValue, type IssuerRuleOptions, resolveIssuer } from './options.js';
import {
  ISSUER_PRESETS,
  type IssuerPreset,
  isIssuerPreset,
  isOktaOrgServer,
  MICROSOFT_GRAPH_AUDIENCES,
  TENANT_PLACEHOLDER,
  type TokenType,
} from './presets.js';
import { fillTenant } from './tenant-template.js';

/** What the configuration validator lends this module: field spellings and failing with a field path. */
export interface FieldChecker {
  /** The spelling of a camelCase field where the options came from (snake_case in the environment). */
  name(field: string): string;
  /** Throws the `ConfigError` naming `path`. */
  fail(path: string, problem: string): never;
}

/** The per-issuer fields this module validates, camelCase. */
export const ISSUER_RULE_FIELDS = [
  'preset',
  'aliases',
  'tenants',
  'discoveryUrl',
  'tokenType',
  'clients',
  'clientClaims',
  'scopeClaims',
  'roleClaims',
  'requiredClaims',
] as const;

/** Their `GATEHOUSE_OIDC_CONFIG` spellings, where they differ. */
export const ISSUER_RULE_JSON_NAMES: Readonly<Record<string, string>> = Object.freeze({
  discoveryUrl: 'discovery_url',
  tokenType: 'token_type',
  clientClaims: 'client_claims',
  scopeClaims: 'scope_claims',
  roleClaims: 'role_claims',
  requiredClaims: 'required_claims',
});

const TOKEN_TYPES: readonly TokenType[] = ['access_token', 'id_token'];
// Claims Gatehouse checks itself; a required value for them would be a second, conflicting rule.
const RESERVED_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'sub']);
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ENTRA_PSEUDO_TENANTS = new Set(['common', 'organizations', 'consumers']);

/**
 * Validates the per-issuer rules of one `issuers[i]` entry (whose `issuer`, `audience` and `jwksUri` the
 * caller has validated) and returns them, camelCase. Cross-field rules are checked here too: a `{tenantid}`
 * issuer needs `tenants`, Auth0 issuers end with `/`, Okta's org server cannot take access tokens, and so on.
 */
export function validateIssuerRules(
  entry: Readonly<Record<string, unknown>>,
  path: string,
  base: { readonly issuer: string; readonly audience: string | readonly string[]; readonly jwksUri?: string },
  c: FieldChecker,
): IssuerRuleOptions {
  const at = (field: string) => `${path}.${c.name(field)}`;
  const value = (field: string) => entry[c.name(field)];
  const rules: { -readonly [K in keyof IssuerRuleOptions]: IssuerRuleOptions[K] } = {};

  const presetValue = value('preset');
  let preset: IssuerPreset | undefined;
  if (presetValue !== undefined) {
    if (!isIssuerPreset(presetValue)) c.fail(at('preset'), `must be one of ${ISSUER_PRESETS.join(', ')}`);
    preset = presetValue;
    rules.preset = preset;
  }

  const issuerTemplated = checkTemplate(base.issuer, `${path}.issuer`, c);
  const aliases = optionalStrings(value('aliases'), at('aliases'), c, { nonEmpty: true });
  let templated = issuerTemplated;
  if (aliases) {
    aliases.forEach((alias, i) => {
      const where = `${at('aliases')}[${i}]`;
      if (alias === base.issuer) c.fail(where, 'repeats the issuer');
      if (aliases.indexOf(alias) !== i) c.fail(where, 'is listed twice');
      if (checkTemplate(alias, where, c)) templated = true;
      if (/\s/.test(alias)) c.fail(where, 'must not contain spaces');
      // An alias is compared with `iss`, never fetched: a URL must still be one we would trust, and a bare
      // host (Google's `accounts.google.com`) is accepted as it is.
      if (alias.includes('://')) {
        const problem = urlProblem(fillTenant(alias, 'tenant'));
        if (problem) c.fail(where, problem);
      }
    });
    rules.aliases = aliases;
  }

  const tenants = optionalStrings(value('tenants'), at('tenants'), c, { nonEmpty: true });
  if (tenants) {
    if (!templated) c.fail(at('tenants'), `applies only to an issuer or alias holding ${TENANT_PLACEHOLDER}`);
    tenants.forEach((tenant, i) => {
      const where = `${at('tenants')}[${i}]`;
      if (preset === 'entra' && ENTRA_PSEUDO_TENANTS.has(tenant.toLowerCase())) {
        c.fail(where, `is not a tenant id: list the directory (tenant) ids you trust, not "${tenant}"`);
      }
      if (preset === 'entra' && !GUID.test(tenant)) {
        c.fail(where, 'must be a directory (tenant) id: a lower-case GUID');
      }
      if (!TENANT_ID.test(tenant)) c.fail(where, 'must be a tenant id (letters, digits, . _ -)');
      if (tenants.indexOf(tenant) !== i) c.fail(where, 'is listed twice');
    });
    rules.tenants = tenants;
  } else if (templated) {
    c.fail(
      at('tenants'),
      `is required when the issuer holds ${TENANT_PLACEHOLDER}: list the tenant ids you trust (issuer checks are never turned off)`,
    );
  }

  const discoveryUrl = value('discoveryUrl');
  if (discoveryUrl !== undefined) {
    const url = nonEmptyString(discoveryUrl, at('discoveryUrl'), c);
    const problem = urlProblem(url);
    if (problem) c.fail(at('discoveryUrl'), problem);
    if (url.includes(TENANT_PLACEHOLDER)) c.fail(at('discoveryUrl'), `must not hold ${TENANT_PLACEHOLDER}`);
    rules.discoveryUrl = url;
  }
  if (issuerTemplated && preset !== 'entra' && discoveryUrl === undefined && base.jwksUri === undefined) {
    c.fail(
      at('discoveryUrl'),
      `or ${c.name('jwksUri')} is required when the issuer holds ${TENANT_PLACEHOLDER} (its discovery document cannot be found from the issuer)`,
    );
  }

  const tokenType = value('tokenType');
  if (tokenType !== undefined) {
    if (!TOKEN_TYPES.includes(tokenType as TokenType)) {
      c.fail(at('tokenType'), `must be one of ${TOKEN_TYPES.join(', ')}`);
    }
    rules.tokenType = tokenType as TokenType;
  }

  const clients = optionalStrings(value('clients'), at('clients'), c, { nonEmpty: true });
  if (clients) rules.clients = clients;
  const clientClaims = optionalStrings(value('clientClaims'), at('clientClaims'), c, { nonEmpty: true });
  if (clientClaims) rules.clientClaims = clientClaims;
  const scopeClaims = optionalStrings(value('scopeClaims'), at('scopeClaims'), c, { nonEmpty: false });
  if (scopeClaims) rules.scopeClaims = scopeClaims;
  const roleClaims = optionalStrings(value('roleClaims'), at('roleClaims'), c, { nonEmpty: false });
  if (roleClaims) rules.roleClaims = roleClaims;
  const requiredClaims = readRequiredClaims(value('requiredClaims'), at('requiredClaims'), c);
  if (requiredClaims) rules.requiredClaims = requiredClaims;

  checkPreset(preset, rules, path, base, c);
  return rules;
}

// The provider-specific mistakes, refused at start-up with the reason.
function checkPreset(
  preset: IssuerPreset | undefined,
  rules: IssuerRuleOptions,
  path: string,
  base: { readonly issuer: string; readonly audience: string | readonly string[] },
  c: FieldChecker,
): void {
  const audiences = typeof base.audience === 'string' ? [base.audience] : base.audience;
  const audiencePath = (i: number) =>
    typeof base.audience === 'string' ? `${path}.audience` : `${path}.audience[${i}]`;
  switch (preset) {
    case 'entra':
      audiences.forEach((audience, i) => {
        if (MICROSOFT_GRAPH_AUDIENCES.has(audience)) {
          c.fail(
            audiencePath(i),
            "is Microsoft Graph's: Graph tokens are for Microsoft's APIs only. Expose an API in the app registration and use its application ID URI or client id",
          );
        }
      });
      break;
    case 'auth0':
      for (const [where, issuer] of [[`${path}.issuer`, base.issuer], ...aliasEntries(rules, path, c)]) {
        if (!issuer!.endsWith('/')) {
          c.fail(where!, `must end with "/" as Auth0 writes it in "iss" (${issuer}/)`);
        }
      }
      break;
    case 'okta':
      if (isOktaOrgServer(base.issuer) && (rules.tokenType ?? 'access_token') === 'access_token') {
        c.fail(
          `${path}.issuer`,
          `is Okta's org authorization server: its access tokens can be checked by Okta alone (introspection). Use a custom authorization server (${base.issuer.replace(/\/$/, '')}/oauth2/default) or "${c.name('tokenType')}": "id_token"`,
        );
      }
      break;
    case 'keycloak':
      if (!new URL(base.issuer).pathname.includes('/realms/')) {
        c.fail(`${path}.issuer`, 'must be a Keycloak realm: https://<host>/realms/<realm>');
      }
      break;
  }
}

function aliasEntries(rules: IssuerRuleOptions, path: string, c: FieldChecker): [string, string][] {
  return (rules.aliases ?? []).map((alias, i) => [`${path}.${c.name('aliases')}[${i}]`, alias]);
}

// Whether `value` is a template; a template holds the placeholder once and is a URL once filled.
function checkTemplate(value: string, where: string, c: FieldChecker): boolean {
  const first = value.indexOf(TENANT_PLACEHOLDER);
  if (first < 0) return false;
  if (value.indexOf(TENANT_PLACEHOLDER, first + 1) >= 0)
    c.fail(where, `must hold ${TENANT_PLACEHOLDER} once`);
  return true;
}

function nonEmptyString(value: unknown, where: string, c: FieldChecker): string {
  if (typeof value !== 'string') c.fail(where, 'must be a string');
  if (value.trim().length === 0) c.fail(where, 'must not be empty');
  return value;
}

function optionalStrings(
  value: unknown,
  where: string,
  c: FieldChecker,
  { nonEmpty }: { nonEmpty: boolean },
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) c.fail(where, 'must be an array');
  if (nonEmpty && value.length === 0) c.fail(where, 'must not be empty');
  return value.map((item, i) => nonEmptyString(item, `${where}[${i}]`, c));
}

function readRequiredClaims(
  value: unknown,
  where: string,
  c: FieldChecker,
): Record<string, ClaimValue | ClaimValue[]> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) c.fail(where, 'must be an object');
  const out: Record<string, ClaimValue | ClaimValue[]> = {};
  for (const [claim, expected] of Object.entries(value)) {
    const at = `${where}.${claim}`;
    if (claim.trim().length === 0) c.fail(where, 'must not name an empty claim');
    if (RESERVED_CLAIMS.has(claim)) c.fail(at, 'is checked by Gatehouse itself and cannot be required here');
    if (Array.isArray(expected)) {
      if (expected.length === 0) c.fail(at, 'must not be empty');
      out[claim] = expected.map((item, i) => claimValue(item, `${at}[${i}]`, c));
    } else {
      out[claim] = claimValue(expected, at, c);
    }
  }
  return out;
}

function claimValue(value: unknown, where: string, c: FieldChecker): ClaimValue {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return c.fail(where, 'must be a string, a number or a boolean (or an array of them)');
}

/**
 * Checks the `issuers` list as a whole: an `iss` spelling (issuer, alias, or a trusted tenant's issuer) may
 * belong to several entries only if they fetch the same keys, and then their audiences must differ, since
 * the token's audience picks the entry whose rules apply (e.g. Google users and Google service accounts).
 */
export function checkIssuerOverlaps(
  issuers: readonly (IssuerRuleOptions & {
    readonly issuer: string;
    readonly audience: string | readonly string[];
    readonly jwksUri?: string;
  })[],
  path: string,
  c: FieldChecker,
): void {
  const seen = new Map<string, { index: number; source: string; audiences: readonly string[] }>();
  issuers.forEach((entry, index) => {
    const resolved = resolveIssuer(entry);
    const source = `${resolved.jwksUri ?? resolved.discoveryUrl} ${resolved.issuer}`;
    const spellings: [string, string][] = [[resolved.issuer, `${path}[${index}].issuer`]];
    for (const alias of resolved.aliases) {
      // A preset's own alias (Google's bare issuer) is reported at the issuer it derives from.
      const i = entry.aliases?.indexOf(alias) ?? -1;
      spellings.push([
        alias,
        i < 0 ? `${path}[${index}].issuer` : `${path}[${index}].${c.name('aliases')}[${i}]`,
      ]);
    }
    const mine = new Set<string>();
    for (const [spelling, where] of spellings) {
      const names = spelling.includes(TENANT_PLACEHOLDER)
        ? resolved.tenants.map((tenant) => fillTenant(spelling, tenant))
        : [spelling];
      for (const name of names) {
        if (mine.has(name)) c.fail(where, 'names the same issuer twice');
        mine.add(name);
        const earlier = seen.get(name);
        if (earlier === undefined) {
          seen.set(name, { index, source, audiences: resolved.audiences });
          continue;
        }
        if (earlier.source !== source) {
          c.fail(
            where,
            `names an issuer of ${path}[${earlier.index}] with another key source: give both the same ${c.name('jwksUri')} / ${c.name('discoveryUrl')}`,
          );
        }
        const shared = resolved.audiences.find((audience) => earlier.audiences.includes(audience));
        if (shared !== undefined) {
          c.fail(
            `${path}[${index}].audience`,
            `repeats an audience of ${path}[${earlier.index}] for the same issuer: the audience chooses the entry, so merge them or give each its own`,
          );
        }
      }
    }
  });
}
