/**
 * Request conventions of real providers that oidc-provider (which follows the RFCs) does not have, applied
 * to the query or form of a request before oidc-provider sees it. They let the tests log in "the Auth0 way"
 * or "the Entra way" against the dev IdP, and fail when a client does it the generic way instead.
 */
import { TOKEN_EXCHANGE_GRANT_TYPE } from './constants.js';

/** How a client asks for an API audience. */
export type AudienceParameterConvention = 'resource' | 'audience' | 'scope' | 'none';
export const AUDIENCE_PARAMETERS: readonly AudienceParameterConvention[] = [
  'resource',
  'audience',
  'scope',
  'none',
];

/** How a client asks for a refresh token. */
export type OfflineAccessConvention = 'scope' | 'access_type';
export const OFFLINE_ACCESS_MODES: readonly OfflineAccessConvention[] = ['scope', 'access_type'];

export interface Conventions {
  audienceParameter: AudienceParameterConvention;
  offlineAccess: OfflineAccessConvention;
  /** A login or client credentials request that names no audience gets an opaque access token. */
  opaqueAccessTokenWithoutAudience: boolean;
}

/** An OAuth error to answer instead of passing the request on. */
export interface ConventionError {
  error: string;
  description: string;
}

export type Endpoint = 'authorization' | 'token' | 'device_authorization';

/**
 * Rewrites `params` in place into what oidc-provider understands, or returns the error the imitated
 * provider would answer:
 * - `audience` (Auth0): `audience` becomes `resource`; a `resource` parameter is ignored.
 * - `scope` (Entra v2): `<audience>/.default` in `scope` becomes `resource`; a `resource` parameter is
 *   refused (Entra's AADSTS901002).
 * - `none` (Google): `resource` and `audience` are ignored.
 * - `access_type` (Google): `access_type=offline` asks for a refresh token; the `offline_access` scope is
 *   refused (`invalid_scope`).
 * Token exchange requests keep their own RFC 8693 `audience` and `resource`.
 */
export function applyConventions(
  params: URLSearchParams,
  conventions: Conventions,
  endpoint: Endpoint,
  audiences: readonly string[],
): ConventionError | undefined {
  const exchange = params.get('grant_type') === TOKEN_EXCHANGE_GRANT_TYPE;
  const scopes = (params.get('scope') ?? '').split(' ').filter(Boolean);
  let changedScope = false;

  if (!exchange) {
    switch (conventions.audienceParameter) {
      case 'audience': {
        const audience = params.get('audience');
        params.delete('resource');
        params.delete('audience');
        if (audience) params.set('resource', audience);
        break;
      }
      case 'scope': {
        if (params.has('resource')) {
          return {
            error: 'invalid_request',
            description:
              "the 'resource' request parameter is not supported; ask for '<audience>/.default' in scope",
          };
        }
        const defaults = scopes.filter((s) => s.endsWith('/.default'));
        if (defaults.length > 1) {
          return {
            error: 'invalid_scope',
            description: 'only one <audience>/.default scope may be requested',
          };
        }
        if (defaults.length === 1) {
          const audience = defaults[0]!.slice(0, -'/.default'.length);
          if (!audiences.includes(audience)) {
            return { error: 'invalid_scope', description: `unknown resource ${audience}` };
          }
          params.set('resource', audience);
          scopes.splice(scopes.indexOf(defaults[0]!), 1);
          changedScope = true;
        }
        break;
      }
      case 'none':
        params.delete('resource');
        params.delete('audience');
        break;
      default:
        break;
    }
  }

  if (conventions.offlineAccess === 'access_type') {
    if (scopes.includes('offline_access')) {
      return { error: 'invalid_scope', description: 'Some requested scopes were invalid: offline_access' };
    }
    if (endpoint !== 'token' && params.get('access_type') === 'offline') {
      scopes.push('offline_access');
      changedScope = true;
    }
    params.delete('access_type');
  }

  if (changedScope) {
    if (scopes.length) params.set('scope', scopes.join(' '));
    else params.delete('scope');
  }
  return undefined;
}
