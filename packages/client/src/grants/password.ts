import * as oidc from 'openid-client';
import { InvalidOptionsError } from '../errors.js';
import type { OidcClient } from '../oidc/client.js';
import { mapGrantError } from '../oidc/map-error.js';
import { type Clock, nowSecs, type TokenSet, toTokenSet } from '../token-set.js';
import { DEFAULT_LOGIN_SCOPE } from './authorization-code.js';

/**
 * Options of {@link loginWithPassword}.
 *
 * @example
 * ```ts
 * import type { PasswordLoginOptions } from '@gatehouse/client';
 * const options: PasswordLoginOptions = { username: 'alice', password: process.env.MY_PASSWORD ?? '' };
 * ```
 */
export interface PasswordLoginOptions {
  /** The resource owner's user name. */
  username: string;
  /** The password; never logged, never part of an error. */
  password: string;
  /** Scope override. Default: the client's scope, else `openid offline_access`. */
  scope?: string;
  /** Audience override. */
  audience?: string;
  /** Clock for the token expiry. Default `Date.now`. */
  clock?: Clock;
}

/**
 * The resource owner password credentials grant (RFC 6749 §4.3), for legacy providers only: the OAuth 2.0
 * Security BCP (RFC 9700 §2.4) says it MUST NOT be used, because the client sees the password and no second
 * factor or consent screen can take part. Prefer {@link loginWithAuthorizationCode} or
 * {@link loginWithDeviceCode}. The client authenticates as in the other grants (with its secret when it has
 * one); the result is stored and refreshed like any login.
 *
 * @example
 * ```ts
 * import { createOidcClient, loginWithPassword } from '@gatehouse/client';
 *
 * const client = createOidcClient({ issuer: 'https://legacy-idp.example.com', clientId: 'gatehouse-cli' });
 * const tokens = await loginWithPassword(client, {
 *   username: 'alice',
 *   password: process.env.GATEHOUSE_OIDC_PASSWORD ?? '',
 * });
 * ```
 */
export async function loginWithPassword(
  client: OidcClient,
  options: PasswordLoginOptions,
): Promise<TokenSet> {
  if (typeof options.username !== 'string' || options.username === '') {
    throw new InvalidOptionsError('username', '"username" is required for the password grant');
  }
  if (typeof options.password !== 'string' || options.password === '') {
    throw new InvalidOptionsError('password', '"password" is required for the password grant');
  }
  const config = await client.configuration();
  const scope = options.scope ?? client.options.scope ?? DEFAULT_LOGIN_SCOPE;
  const params = {
    ...client.tokenParameters({ scope, audience: options.audience }),
    username: options.username,
    password: options.password,
  };
  const dpop = await client.dpopOptions();
  try {
    const response = await oidc.genericGrantRequest(config, 'password', params, dpop);
    return toTokenSet(response, nowSecs(options.clock ?? Date.now));
  } catch (err) {
    throw mapGrantError('password', err, config.serverMetadata().token_endpoint);
  }
}
