import type Provider from 'oidc-provider';
import { errors, type ResourceServer, type TokenEndpointGrantContext } from 'oidc-provider';
import { API_SCOPES, type DevUser, PASSWORD_GRANT_TYPE } from './constants.js';

const OIDC_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email']);

export interface PasswordGrantOptions {
  users: ReadonlyMap<string, DevUser>;
  /** Audience when the request names no `resource`; `undefined` for an opaque (userinfo) access token. */
  defaultAudience: string | undefined;
  /** Resource server details for a known audience; throws `invalid_target` for any other. */
  resourceServer(audience: string): ResourceServer;
}

interface PasswordParams {
  username?: string;
  password?: string;
  scope?: string;
  resource?: string;
}

/**
 * The resource owner password credentials grant (RFC 6749 section 4.3), which oidc-provider does not
 * implement (the OAuth 2.0 Security BCP forbids it). The dev IdP offers it only to test clients that must
 * support legacy providers: a client may use it only when its `grant_types` list `password`. Tokens are
 * issued as for a login: a grant, a JWT access token for the audience, a refresh token with
 * `offline_access` (refreshed by oidc-provider's own refresh grant), an ID token with `openid`.
 */
export function registerPasswordGrant(provider: Provider, options: PasswordGrantOptions): void {
  provider.registerGrantType<PasswordParams>(
    PASSWORD_GRANT_TYPE,
    async (ctx: TokenEndpointGrantContext<PasswordParams>) => {
      const { params, client } = ctx.oidc;
      if (!params.username || !params.password) {
        throw new errors.InvalidRequest('username and password are required');
      }
      const user = options.users.get(params.username);
      if (!user || user.password !== params.password) {
        throw new errors.InvalidGrant('invalid username or password');
      }
      const requested = [...new Set((params.scope ?? '').split(' ').filter(Boolean))];
      const oidcScope = requested.filter((s) => OIDC_SCOPES.has(s)).join(' ');
      const apiScope = requested.filter((s) => (API_SCOPES as readonly string[]).includes(s)).join(' ');
      const audience = params.resource ?? options.defaultAudience;
      const resourceServer = audience
        ? new provider.ResourceServer(audience, options.resourceServer(audience))
        : undefined;

      const grant = new provider.Grant({ accountId: user.username, clientId: client.clientId });
      if (oidcScope) grant.addOIDCScope(oidcScope);
      if (audience && apiScope) grant.addResourceScope(audience, apiScope);
      const grantId = await grant.save();
      const authTime = Math.floor(Date.now() / 1000);

      const at = new provider.AccessToken({
        accountId: user.username,
        client,
        grantId,
        gty: PASSWORD_GRANT_TYPE,
        scope: resourceServer ? apiScope || undefined : oidcScope || undefined,
      } as ConstructorParameters<typeof provider.AccessToken>[0]);
      if (resourceServer) at.resourceServer = resourceServer;
      const accessToken = await at.save();

      let refreshToken: string | undefined;
      if (requested.includes('offline_access') && client.grantTypeAllowed('refresh_token')) {
        const rt = new provider.RefreshToken({
          accountId: user.username,
          authTime,
          client,
          grantId,
          gty: PASSWORD_GRANT_TYPE,
          ...(audience ? { resource: audience } : {}),
          rotations: 0,
          scope: [oidcScope, apiScope].filter(Boolean).join(' '),
        } as ConstructorParameters<typeof provider.RefreshToken>[0]);
        refreshToken = await rt.save();
      }

      let idToken: string | undefined;
      if (requested.includes('openid')) {
        const token = new provider.IdToken(
          { ...idTokenClaims(user, requested), auth_time: authTime },
          { ctx },
        );
        // The claims a scope releases (as for a login's ID token): openid → sub, profile, email.
        (token as unknown as { scope: string }).scope = oidcScope;
        idToken = await token.issue({ use: 'idtoken' });
      }

      ctx.body = {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: at.expiration,
        ...(at.scope ? { scope: at.scope } : {}),
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
        ...(idToken ? { id_token: idToken } : {}),
      };
    },
    ['username', 'password', 'scope', 'resource'],
  );
}

/** The ID token claims of a user for the requested scopes (the same mapping as the provider's `claims`). */
function idTokenClaims(user: DevUser, scopes: readonly string[]): Record<string, unknown> {
  return {
    sub: user.username,
    ...(scopes.includes('profile') ? { name: user.name, preferred_username: user.username } : {}),
    ...(scopes.includes('email') ? { email: user.email, email_verified: user.emailVerified } : {}),
  };
}
