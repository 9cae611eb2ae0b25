import type { DevIdpOptions } from './options.js';

/**
 * Options that make the dev IdP behave like a real provider where clients must adapt to it, for testing
 * clients against each provider's conventions (not a fixture of their tokens' claims):
 * - `google`: no API audiences (opaque access tokens; services check the ID token, whose `aud` is the
 *   client id); a refresh token with `access_type=offline`, the `offline_access` scope refused.
 * - `entra`: a v2-style issuer `/<tenant>/v2.0`; an API is asked for as the `<audience>/.default` scope and
 *   the `resource` parameter is refused.
 * - `okta`: a custom authorization server's issuer, `/oauth2/default`.
 * - `auth0`: an issuer with a trailing slash; an API is asked for with `audience`, and without it the
 *   access token is opaque.
 * - `keycloak`: a realm's issuer, `/realms/gatehouse`.
 *
 * @example
 * ```ts
 * const idp = await startDevIdp({ ...PROVIDER_SHAPES.auth0 });
 * console.log(idp.issuer); // http://127.0.0.1:<port>/
 * ```
 */
export const PROVIDER_SHAPES = {
  google: { audienceParameter: 'none', opaqueAccessTokenWithoutAudience: true, offlineAccess: 'access_type' },
  entra: { issuerPath: '/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0', audienceParameter: 'scope' },
  okta: { issuerPath: '/oauth2/default' },
  auth0: { issuerPath: '/', audienceParameter: 'audience', opaqueAccessTokenWithoutAudience: true },
  keycloak: { issuerPath: '/realms/gatehouse' },
} as const satisfies Record<string, DevIdpOptions>;
