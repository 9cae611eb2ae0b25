import * as oidc from 'openid-client';
import { RevocationError } from '../errors.js';
import type { OidcClient } from '../oidc/client.js';
import { mapGrantError } from '../oidc/map-error.js';
import { type Clock, nowSecs, type TokenSet, toTokenSet } from '../token-set.js';

/**
 * The RFC 8693 grant type.
 *
 * @example
 * ```ts
 * import { TOKEN_EXCHANGE_GRANT } from '@gatehouse/client';
 * console.log(TOKEN_EXCHANGE_GRANT); // urn:ietf:params:oauth:grant-type:token-exchange
 * ```
 */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/**
 * RFC 8693 token type of an access token.
 *
 * @example
 * ```ts
 * import { ACCESS_TOKEN_TYPE, exchangeToken, type OidcClient } from '@gatehouse/client';
 * declare const client: OidcClient;
 * await exchangeToken(client, { subjectToken: 'a-token', subjectTokenType: ACCESS_TOKEN_TYPE });
 * ```
 */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * Scope and audience overrides shared by the token-endpoint grants.
 *
 * @example
 * ```ts
 * import type { TokenRequestOptions } from '@gatehouse/client';
 * const options: TokenRequestOptions = { scope: 'api:read', audience: 'urn:gatehouse:example-api' };
 * ```
 */
export interface TokenRequestOptions {
  /** Scope override (default: the client's). */
  scope?: string;
  /** Audience override (default: the client's). */
  audience?: string;
  /** Clock for the expiry. Default `Date.now`. */
  clock?: Clock;
}

/**
 * The client credentials grant (RFC 6749 §4.4): a token for the client itself, for services.
 *
 * @example
 * ```ts
 * import { createOidcClient, requestClientCredentialsToken } from '@gatehouse/client';
 *
 * const client = createOidcClient({
 *   issuer: 'https://idp.example.com',
 *   clientId: 'billing-service',
 *   clientSecret: process.env.BILLING_CLIENT_SECRET,
 *   audience: 'urn:gatehouse:example-api',
 * });
 * const { accessToken, expiresAt } = await requestClientCredentialsToken(client);
 * ```
 */
export async function requestClientCredentialsToken(
  client: OidcClient,
  options: TokenRequestOptions = {},
): Promise<TokenSet> {
  const dpop = await client.dpopOptions();
  return grant(client, 'client_credentials', options.clock, (config) =>
    oidc.clientCredentialsGrant(config, client.tokenParameters(options), dpop),
  );
}

/**
 * The refresh token grant (RFC 6749 §6). The result carries the new refresh token when the server rotated
 * it; otherwise none (keep the old one).
 *
 * @example
 * ```ts
 * import { createOidcClient, refreshAccessToken } from '@gatehouse/client';
 *
 * declare const storedRefreshToken: string;
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' });
 * const fresh = await refreshAccessToken(client, storedRefreshToken);
 * ```
 */
export async function refreshAccessToken(
  client: OidcClient,
  refreshToken: string,
  options: TokenRequestOptions = {},
): Promise<TokenSet> {
  // No scope on refresh unless asked (or the provider expects it): the server keeps the granted scope.
  const params = client.refreshParameters({ audience: options.audience, scope: options.scope });
  const dpop = await client.dpopOptions();
  return grant(client, 'refresh_token', options.clock, (config) =>
    oidc.refreshTokenGrant(config, refreshToken, params, dpop),
  );
}

/**
 * Options of {@link exchangeToken}.
 *
 * @example
 * ```ts
 * import type { TokenExchangeOptions } from '@gatehouse/client';
 * const options: TokenExchangeOptions = { subjectToken: 'a-user-token', audience: 'urn:reports-api' };
 * ```
 */
export interface TokenExchangeOptions extends TokenRequestOptions {
  /**
   * The logical name of the target service, sent as RFC 8693's `audience` parameter. Without `audience` and
   * `resource`, the client's own audience is requested the client's way.
   */
  audience?: string;
  /** The URI of the target service, sent as RFC 8693's `resource` parameter. */
  resource?: string;
  /** The token to exchange (usually a user's access token). */
  subjectToken: string;
  /** Its RFC 8693 type. Default: access token. */
  subjectTokenType?: string;
  /** The token type wanted back, if the server needs to be told. */
  requestedTokenType?: string;
  /** An actor token (delegation), if any. */
  actorToken?: string;
  /** Its type. Default: access token. */
  actorTokenType?: string;
}

/**
 * The token exchange grant (RFC 8693): trades a subject token for one with another audience.
 *
 * @example
 * ```ts
 * import { createOidcClient, exchangeToken } from '@gatehouse/client';
 *
 * declare const userToken: string;
 * const service = createOidcClient({
 *   issuer: 'https://idp.example.com',
 *   clientId: 'gatehouse-service',
 *   clientSecret: process.env.SERVICE_SECRET,
 * });
 * const downstream = await exchangeToken(service, { subjectToken: userToken, audience: 'urn:reports-api' });
 * ```
 */
export async function exchangeToken(client: OidcClient, options: TokenExchangeOptions): Promise<TokenSet> {
  // RFC 8693 §2.1 has its own `audience` and `resource` parameters; either one replaces the client's default.
  const target: Record<string, string> = {};
  if (options.audience) target.audience = options.audience;
  if (options.resource) target.resource = options.resource;
  const params: Record<string, string> = {
    ...(options.audience || options.resource
      ? { ...client.tokenParameters({ scope: options.scope, audience: '' }), ...target }
      : client.tokenParameters({ scope: options.scope })),
    subject_token: options.subjectToken,
    subject_token_type: options.subjectTokenType ?? ACCESS_TOKEN_TYPE,
  };
  if (options.requestedTokenType) params.requested_token_type = options.requestedTokenType;
  if (options.actorToken) {
    params.actor_token = options.actorToken;
    params.actor_token_type = options.actorTokenType ?? ACCESS_TOKEN_TYPE;
  }
  const dpop = await client.dpopOptions();
  return grant(client, 'token_exchange', options.clock, (config) =>
    oidc.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, params, dpop),
  );
}

/** One token-endpoint request: its response as a {@link TokenSet}, its failure as one of our typed errors. */
async function grant(
  client: OidcClient,
  grantType: string,
  clock: Clock | undefined,
  request: (config: oidc.Configuration) => Promise<oidc.TokenEndpointResponse>,
): Promise<TokenSet> {
  const config = await client.configuration();
  try {
    return toTokenSet(await request(config), nowSecs(clock ?? Date.now));
  } catch (err) {
    throw mapGrantError(grantType, err, config.serverMetadata().token_endpoint);
  }
}

/**
 * Revokes a token (RFC 7009) when the server offers a revocation endpoint. Resolves `false` when it does not
 * (nothing was sent), `true` when the server accepted the request.
 *
 * @example
 * ```ts
 * import { createOidcClient, revokeToken } from '@gatehouse/client';
 *
 * declare const storedRefreshToken: string;
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' });
 * await revokeToken(client, storedRefreshToken, 'refresh_token');
 * ```
 */
export async function revokeToken(
  client: OidcClient,
  token: string,
  tokenTypeHint: 'refresh_token' | 'access_token' = 'refresh_token',
): Promise<boolean> {
  const config = await client.configuration();
  const endpoint = config.serverMetadata().revocation_endpoint;
  if (!endpoint) return false;
  try {
    await oidc.tokenRevocation(config, token, { token_type_hint: tokenTypeHint });
    return true;
  } catch (err) {
    throw new RevocationError(mapGrantError('revocation', err, endpoint));
  }
}
