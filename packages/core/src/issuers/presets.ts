/**
 * The identity providers Gatehouse knows by name. A preset fills in the per-issuer options of a provider
 * (where its scopes, roles and client id live, which token its clients send, its issuer spellings) and adds
 * the few checks that only make sense for that provider. Anything set explicitly on the issuer wins.
 */

/**
 * A provider known by name: `"preset": "entra"` in `GATEHOUSE_OIDC_CONFIG`.
 *
 * @example
 * ```ts
 * import type { IssuerPreset } from '@gatehouse/core';
 *
 * const preset: IssuerPreset = 'keycloak';
 * ```
 */
export type IssuerPreset = 'google' | 'entra' | 'okta' | 'auth0' | 'keycloak';

/**
 * Which token an issuer's callers present: an OAuth access token, or an OpenID Connect ID token.
 *
 * @example
 * ```ts
 * import type { TokenType } from '@gatehouse/core';
 *
 * const google: TokenType = 'id_token'; // Google's access tokens are opaque
 * ```
 */
export type TokenType = 'access_token' | 'id_token';

/**
 * The names accepted for {@link IssuerPreset}, in documentation order.
 *
 * @example
 * ```ts
 * import { ISSUER_PRESETS } from '@gatehouse/core';
 *
 * console.error(`presets: ${ISSUER_PRESETS.join(', ')}`);
 * ```
 */
export const ISSUER_PRESETS: readonly IssuerPreset[] = ['google', 'entra', 'okta', 'auth0', 'keycloak'];

/** The placeholder of a multi-tenant issuer (Microsoft Entra ID's discovery documents spell it so). */
export const TENANT_PLACEHOLDER = '{tenantid}';

/**
 * Audiences of Microsoft Graph (and the retired Azure AD Graph). Their tokens are meant for Microsoft's APIs
 * only; Graph access tokens even carry a header `nonce` that makes their signature unverifiable by anyone
 * else. A service that receives one was sent the wrong token.
 *
 * @example
 * ```ts
 * import { MICROSOFT_GRAPH_AUDIENCES } from '@gatehouse/core';
 *
 * MICROSOFT_GRAPH_AUDIENCES.has('00000003-0000-0000-c000-000000000000'); // true
 * ```
 */
export const MICROSOFT_GRAPH_AUDIENCES: ReadonlySet<string> = new Set([
  '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  'https://graph.microsoft.us',
  'https://graph.microsoft.us/',
  'https://dod-graph.microsoft.us',
  'https://dod-graph.microsoft.us/',
  'https://microsoftgraph.chinacloudapi.cn',
  'https://microsoftgraph.chinacloudapi.cn/',
  '00000002-0000-0000-c000-000000000000',
  'https://graph.windows.net',
  'https://graph.windows.net/',
]);

/** What a preset fills in, and the provider-specific checks it switches on. */
export interface PresetDefaults {
  readonly tokenType: TokenType;
  /** Claims the granted scopes are read from (space-separated strings or arrays), merged. */
  readonly scopeClaims: readonly string[];
  /** Claims the roles are read from, merged. */
  readonly roleClaims: readonly string[];
  /** Claims that name the client the token was issued to, first present wins. */
  readonly clientClaims: readonly string[];
  /** Claims that must hold these values, by token type. */
  readonly requiredClaims?: Readonly<Record<TokenType, Readonly<Record<string, string>>>>;
  /**
   * Access tokens of this provider always name their client (`azp`, `appid`, `cid`, `client_id`) and its
   * ID tokens do not (or carry another `typ`): an access-token issuer refuses a token that names none, which
   * is how an ID token sent in place of an access token is told apart when both have the same audience.
   */
  readonly accessTokensNameClient: boolean;
  /** Refuse Microsoft Graph tokens with a reason that says so (Entra). */
  readonly refuseGraphAudience: boolean;
}

/** The options an issuer without a preset gets. */
export const GENERIC_DEFAULTS: PresetDefaults = Object.freeze({
  tokenType: 'access_token',
  scopeClaims: Object.freeze(['scope', 'scp']),
  roleClaims: Object.freeze([]),
  clientClaims: Object.freeze(['azp', 'client_id']),
  accessTokensNameClient: false,
  refuseGraphAudience: false,
});

/**
 * Each preset's defaults. See `docs/providers/<preset>.md` for the provider's console settings.
 *
 * - `google`: Google signs **ID tokens** only (its access tokens are opaque), so `token_type` is `id_token`
 *   and the audience is the OAuth client id; `iss` is accepted both as `https://accounts.google.com` and as
 *   `accounts.google.com`. No scopes. Client: `azp`.
 * - `entra`: Microsoft Entra ID v1 (`https://sts.windows.net/{tid}/`) and v2
 *   (`https://login.microsoftonline.com/{tid}/v2.0`) access tokens; `{tenantid}` issuers with a required
 *   `tenants` allow-list; scopes from `scp`, app roles from `roles`; client from `azp` (v2) or `appid` (v1);
 *   Microsoft Graph tokens refused by name; key `issuer` members checked (for every issuer).
 * - `okta`: a custom authorization server (`https://{domain}/oauth2/{id}`); scopes from `scp`, client from
 *   `cid`. The org authorization server (`https://{domain}`) only with `token_type: id_token`: its access
 *   tokens can be checked by Okta alone.
 * - `auth0`: issuer ending with `/`, custom domains as `aliases`; scopes from `scope` and `permissions`
 *   (RBAC); client from `azp` (or `client_id` in the RFC 9068 profile).
 * - `keycloak`: `https://{host}/realms/{realm}`; scopes from `scope`, realm roles from `realm_access.roles`,
 *   client from `azp`; the `typ` claim must be `Bearer` (access tokens) or `ID` (ID tokens).
 */
export const PRESET_DEFAULTS: Readonly<Record<IssuerPreset, PresetDefaults>> = Object.freeze({
  google: Object.freeze({
    tokenType: 'id_token',
    scopeClaims: Object.freeze([]),
    roleClaims: Object.freeze([]),
    clientClaims: Object.freeze(['azp']),
    accessTokensNameClient: false,
    refuseGraphAudience: false,
  }),
  entra: Object.freeze({
    tokenType: 'access_token',
    scopeClaims: Object.freeze(['scp']),
    roleClaims: Object.freeze(['roles']),
    clientClaims: Object.freeze(['azp', 'appid']),
    accessTokensNameClient: true,
    refuseGraphAudience: true,
  }),
  okta: Object.freeze({
    tokenType: 'access_token',
    scopeClaims: Object.freeze(['scp']),
    roleClaims: Object.freeze([]),
    clientClaims: Object.freeze(['cid']),
    accessTokensNameClient: true,
    refuseGraphAudience: false,
  }),
  auth0: Object.freeze({
    tokenType: 'access_token',
    scopeClaims: Object.freeze(['scope', 'permissions']),
    roleClaims: Object.freeze([]),
    clientClaims: Object.freeze(['azp', 'client_id']),
    accessTokensNameClient: true,
    refuseGraphAudience: false,
  }),
  keycloak: Object.freeze({
    tokenType: 'access_token',
    scopeClaims: Object.freeze(['scope']),
    roleClaims: Object.freeze(['realm_access.roles']),
    clientClaims: Object.freeze(['azp']),
    requiredClaims: Object.freeze({
      access_token: Object.freeze({ typ: 'Bearer' }),
      id_token: Object.freeze({ typ: 'ID' }),
    }),
    accessTokensNameClient: false,
    refuseGraphAudience: false,
  }),
});

/** Whether `value` names a preset. */
export function isIssuerPreset(value: unknown): value is IssuerPreset {
  return typeof value === 'string' && (ISSUER_PRESETS as readonly string[]).includes(value);
}

/**
 * Whether an Okta issuer is the org authorization server (`https://{domain}`), rather than a custom one
 * (`https://{domain}/oauth2/{id}`). The org server's access tokens are meant for Okta's own APIs: only Okta
 * can check them (introspection), never a resource server with the published keys.
 */
export function isOktaOrgServer(issuer: string): boolean {
  try {
    const path = new URL(issuer).pathname;
    return !/^\/oauth2\/[^/]+\/?$/.test(path);
  } catch {
    return false;
  }
}

/**
 * Where the discovery document of an issuer is, when it is not `<issuer>/.well-known/openid-configuration`:
 * Entra's multi-tenant issuers are published under `common`, and its v1 issuers (`sts.windows.net`) under
 * `login.microsoftonline.com`. Undefined when the usual location applies.
 */
export function presetDiscoveryUrl(preset: IssuerPreset | undefined, issuer: string): string | undefined {
  if (preset !== 'entra') return undefined;
  const url = new URL(issuer.replace(TENANT_PLACEHOLDER, 'common'));
  if (url.hostname === 'sts.windows.net') {
    const tenant = url.pathname.split('/')[1] ?? 'common';
    return `https://login.microsoftonline.com/${tenant}/.well-known/openid-configuration`;
  }
  if (!issuer.includes(TENANT_PLACEHOLDER)) return undefined;
  return `${url.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
}
