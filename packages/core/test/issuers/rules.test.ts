import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  compileClaimReader,
  compileClientReader,
  compileListReader,
} from '../../src/issuers/claim-reader.js';
import { type IssuerRuleOptions, resolveIssuer } from '../../src/issuers/options.js';
import { isOktaOrgServer, presetDiscoveryUrl } from '../../src/issuers/presets.js';
import { fillTenant, parseTenantTemplate, tenantOf } from '../../src/issuers/tenant-template.js';
import {
  type FieldChecker,
  ISSUER_RULE_JSON_NAMES,
  validateIssuerRules,
} from '../../src/issuers/validate.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ENTRA_V2 = 'https://login.microsoftonline.com/{tenantid}/v2.0';

const camel: FieldChecker = {
  name: (field) => field,
  fail: (path, problem) => {
    throw new ConfigError('invalid_config', problem, { field: path });
  },
};
const JSON_NAMES: Record<string, string> = { ...ISSUER_RULE_JSON_NAMES, jwksUri: 'jwks_uri' };
const snake: FieldChecker = { ...camel, name: (field) => JSON_NAMES[field] ?? field };

function validate(
  entry: Record<string, unknown>,
  checker: FieldChecker = camel,
  jwksUri?: string,
): IssuerRuleOptions {
  const base = {
    issuer: entry.issuer as string,
    audience: (entry.audience ?? 'api') as string | string[],
    jwksUri,
  };
  return validateIssuerRules(entry, 'issuers[0]', base, checker);
}

function refusal(entry: Record<string, unknown>, checker: FieldChecker = camel): string {
  try {
    validate(entry, checker);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('claim readers', () => {
  it('reads a dotted path into nested objects, and a literal dotted claim first', () => {
    const roles = compileClaimReader('realm_access.roles');
    expect(roles({ realm_access: { roles: ['admin'] } })).toEqual(['admin']);
    expect(roles({ 'realm_access.roles': ['literal'], realm_access: { roles: ['nested'] } })).toEqual([
      'literal',
    ]);
    const namespaced = compileClaimReader('https://example.com/roles');
    expect(namespaced({ 'https://example.com/roles': ['editor'] })).toEqual(['editor']);
    expect(roles({ realm_access: ['not', 'an', 'object'] })).toBeUndefined();
  });

  it('never reads inherited properties', () => {
    expect(compileClaimReader('constructor')({})).toBeUndefined();
    expect(compileClaimReader('a.toString')({ a: {} })).toBeUndefined();
  });

  it('merges space-separated strings and arrays from several claims, once each', () => {
    const read = compileListReader(['scope', 'permissions']);
    expect(read({ scope: 'openid read:data', permissions: ['read:data', 'write:data', 7, ''] })).toEqual([
      'openid',
      'read:data',
      'write:data',
    ]);
    expect(compileListReader([])({ scope: 'x' })).toEqual([]);
    expect(compileListReader(['scp'])({ scp: 'a  b' })).toEqual(['a', 'b']);
  });

  it('takes the first client claim present', () => {
    const read = compileClientReader(['azp', 'appid']);
    expect(read({ appid: 'v1-client' })).toEqual({ claim: 'appid', id: 'v1-client' });
    expect(read({ azp: 'v2-client', appid: 'x' })).toEqual({ claim: 'azp', id: 'v2-client' });
    expect(read({ azp: '' })).toBeUndefined();
  });
});

describe('tenant templates', () => {
  it('fills and recognises a tenant', () => {
    const template = parseTenantTemplate(ENTRA_V2);
    expect(fillTenant(ENTRA_V2, TENANT)).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(tenantOf(template, `https://login.microsoftonline.com/${TENANT}/v2.0`)).toBe(TENANT);
    expect(tenantOf(template, 'https://login.microsoftonline.com/v2.0')).toBeUndefined();
    expect(tenantOf(template, 'https://login.microsoftonline.com/a/b/v2.0')).toBeUndefined();
    expect(() => parseTenantTemplate('https://x/{tenantid}/{tenantid}')).toThrow(RangeError);
  });
});

describe('validateIssuerRules', () => {
  it('returns the rules camelCase, read from snake_case', () => {
    const rules = validate(
      {
        issuer: ENTRA_V2,
        preset: 'entra',
        tenants: [TENANT],
        token_type: 'access_token',
        clients: ['c1'],
        client_claims: ['azp'],
        scope_claims: [],
        role_claims: ['roles'],
        required_claims: { ver: ['1.0', '2.0'], acr: 1, email_verified: true },
        discovery_url: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
      },
      snake,
    );
    expect(rules).toEqual({
      preset: 'entra',
      tenants: [TENANT],
      tokenType: 'access_token',
      clients: ['c1'],
      clientClaims: ['azp'],
      scopeClaims: [],
      roleClaims: ['roles'],
      requiredClaims: { ver: ['1.0', '2.0'], acr: 1, email_verified: true },
      discoveryUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
    });
  });

  it.each([
    [{ preset: 'azure' }, '"issuers[0].preset" must be one of google, entra, okta, auth0, keycloak'],
    [{ aliases: [] }, '"issuers[0].aliases" must not be empty'],
    [{ aliases: ['https://idp.example.com'] }, '"issuers[0].aliases[0]" repeats the issuer'],
    [{ aliases: ['a.example.com', 'a.example.com'] }, '"issuers[0].aliases[1]" is listed twice'],
    [{ aliases: ['http://evil.example.com'] }, '"issuers[0].aliases[0]" must be an https:// URL'],
    [{ aliases: ['has space'] }, '"issuers[0].aliases[0]" must not contain spaces'],
    [{ tenants: [TENANT] }, '"issuers[0].tenants" applies only to an issuer or alias holding {tenantid}'],
    [{ token_type: 'refresh_token' }, '"issuers[0].token_type" must be one of access_token, id_token'],
    [{ clients: [''] }, '"issuers[0].clients[0]" must not be empty'],
    [{ client_claims: [] }, '"issuers[0].client_claims" must not be empty'],
    [{ scope_claims: 'scope' }, '"issuers[0].scope_claims" must be an array'],
    [{ required_claims: { aud: 'x' } }, '"issuers[0].required_claims.aud" is checked by Gatehouse itself'],
    [{ required_claims: { typ: [] } }, '"issuers[0].required_claims.typ" must not be empty'],
    [{ required_claims: { typ: null } }, '"issuers[0].required_claims.typ" must be a string, a number'],
    [{ required_claims: ['typ'] }, '"issuers[0].required_claims" must be an object'],
    [{ discovery_url: 'ftp://x' }, '"issuers[0].discovery_url" must be an https:// URL'],
  ])('refuses %j, naming the field', (fields, message) => {
    expect(refusal({ issuer: 'https://idp.example.com', ...fields }, snake)).toContain(message);
  });

  it('requires an allow-list of tenants for a {tenantid} issuer, never "any tenant"', () => {
    expect(refusal({ issuer: ENTRA_V2, preset: 'entra' })).toContain(
      '"issuers[0].tenants" is required when the issuer holds {tenantid}',
    );
    expect(
      refusal({
        issuer: 'https://login.microsoftonline.com/common/v2.0',
        aliases: ['https://sts.windows.net/{tenantid}/'],
      }),
    ).toContain('"issuers[0].tenants" is required');
    expect(refusal({ issuer: ENTRA_V2, preset: 'entra', tenants: ['common'] })).toContain(
      '"issuers[0].tenants[0]" is not a tenant id',
    );
    expect(refusal({ issuer: ENTRA_V2, preset: 'entra', tenants: [TENANT.toUpperCase()] })).toContain(
      'lower-case GUID',
    );
    expect(refusal({ issuer: ENTRA_V2, preset: 'entra', tenants: [TENANT, TENANT] })).toContain(
      '"issuers[0].tenants[1]" is listed twice',
    );
    expect(refusal({ issuer: 'https://x.example.com/{tenantid}/{tenantid}', tenants: ['t'] })).toContain(
      'must hold {tenantid} once',
    );
  });

  it('needs a discovery URL or key-set URL for a generic {tenantid} issuer', () => {
    const issuer = 'https://idp.example.com/{tenantid}';
    expect(refusal({ issuer, tenants: ['t1'] }, snake)).toContain(
      '"issuers[0].discovery_url" or jwks_uri is required',
    );
    expect(validate({ issuer, tenants: ['t1'] }, snake, 'https://idp.example.com/keys').tenants).toEqual([
      't1',
    ]);
  });

  it('refuses the classic provider mistakes with the reason', () => {
    expect(
      refusal({
        issuer: ENTRA_V2,
        preset: 'entra',
        tenants: [TENANT],
        audience: ['api://x', 'https://graph.microsoft.com'],
      }),
    ).toContain('"issuers[0].audience[1]" is Microsoft Graph\'s');
    expect(refusal({ issuer: 'https://tenant.us.auth0.com', preset: 'auth0' })).toContain(
      '"issuers[0].issuer" must end with "/"',
    );
    expect(
      refusal({
        issuer: 'https://login.example.com/',
        preset: 'auth0',
        aliases: ['https://tenant.auth0.com'],
      }),
    ).toContain('"issuers[0].aliases[0]" must end with "/"');
    expect(refusal({ issuer: 'https://dev-1.okta.com', preset: 'okta' })).toContain(
      "is Okta's org authorization server",
    );
    expect(
      validate({ issuer: 'https://dev-1.okta.com', preset: 'okta', tokenType: 'id_token' }).tokenType,
    ).toBe('id_token');
    expect(refusal({ issuer: 'https://kc.example.com/auth', preset: 'keycloak' })).toContain(
      'must be a Keycloak realm',
    );
  });
});

describe('resolveIssuer', () => {
  it('applies no preset: access tokens, scopes from scope and scp, no roles', () => {
    const resolved = resolveIssuer({ issuer: 'https://idp.example.com/', audience: 'api' });
    expect(resolved).toMatchObject({
      tokenType: 'access_token',
      scopeClaims: ['scope', 'scp'],
      roleClaims: [],
      clientClaims: ['azp', 'client_id'],
      aliases: [],
      requiredClaims: {},
      accessTokensNameClient: false,
      discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration',
    });
  });

  it('fills in each preset, explicit values winning', () => {
    const google = resolveIssuer({ issuer: 'https://accounts.google.com', audience: 'id', preset: 'google' });
    expect(google).toMatchObject({
      tokenType: 'id_token',
      aliases: ['accounts.google.com'],
      scopeClaims: [],
    });
    const keycloak = resolveIssuer({ issuer: 'https://kc/realms/r', audience: 'api', preset: 'keycloak' });
    expect(keycloak.requiredClaims).toEqual({ typ: ['Bearer'] });
    expect(keycloak.roleClaims).toEqual(['realm_access.roles']);
    const keycloakId = resolveIssuer({
      issuer: 'https://kc/realms/r',
      audience: 'cli',
      preset: 'keycloak',
      tokenType: 'id_token',
      requiredClaims: { acr: ['1', '2'] },
    });
    expect(keycloakId.requiredClaims).toEqual({ typ: ['ID'], acr: ['1', '2'] });
    const auth0 = resolveIssuer({
      issuer: 'https://t.auth0.com/',
      audience: 'api',
      preset: 'auth0',
      scopeClaims: ['permissions'],
    });
    expect(auth0).toMatchObject({ scopeClaims: ['permissions'], accessTokensNameClient: true });
    const okta = resolveIssuer({
      issuer: 'https://o.okta.com',
      audience: 'c',
      preset: 'okta',
      tokenType: 'id_token',
    });
    expect(okta).toMatchObject({ oktaOrgServer: true, accessTokensNameClient: false, clientClaims: ['cid'] });
  });

  it("finds Entra's discovery documents where Microsoft publishes them", () => {
    expect(presetDiscoveryUrl('entra', ENTRA_V2)).toBe(
      'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
    );
    expect(presetDiscoveryUrl('entra', 'https://sts.windows.net/{tenantid}/')).toBe(
      'https://login.microsoftonline.com/common/.well-known/openid-configuration',
    );
    expect(presetDiscoveryUrl('entra', `https://sts.windows.net/${TENANT}/`)).toBe(
      `https://login.microsoftonline.com/${TENANT}/.well-known/openid-configuration`,
    );
    expect(presetDiscoveryUrl('entra', `https://login.microsoftonline.com/${TENANT}/v2.0`)).toBeUndefined();
    expect(presetDiscoveryUrl(undefined, ENTRA_V2)).toBeUndefined();
  });

  it("tells Okta's org server from a custom one", () => {
    expect(isOktaOrgServer('https://dev-1.okta.com')).toBe(true);
    expect(isOktaOrgServer('https://dev-1.okta.com/')).toBe(true);
    expect(isOktaOrgServer('https://dev-1.okta.com/oauth2/default')).toBe(false);
    expect(isOktaOrgServer('https://dev-1.okta.com/oauth2/aus1a2b3c4')).toBe(false);
  });
});
