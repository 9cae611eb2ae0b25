import * as oidc from 'openid-client';
import {
  AuthorizationDeniedError,
  DeviceCodeExpiredError,
  LoginCancelledError,
  TokenRequestError,
} from '../errors.js';
import type { OidcClient } from '../oidc/client.js';
import { mapGrantError } from '../oidc/map-error.js';
import { type Clock, nowSecs, type TokenSet, toTokenSet } from '../token-set.js';
import { DEFAULT_LOGIN_SCOPE } from './authorization-code.js';

/**
 * What the user must do to approve a device login.
 *
 * @example
 * ```ts
 * import type { DeviceCodePrompt } from '@gatehouse/client';
 * const show = (p: DeviceCodePrompt) => console.error(`Open ${p.verificationUri} and enter ${p.userCode}`);
 * ```
 */
export interface DeviceCodePrompt {
  /** The code to type in. */
  userCode: string;
  /** Where to type it. */
  verificationUri: string;
  /** A URL with the code already filled in, when the server offers one. */
  verificationUriComplete?: string;
  /** Seconds until the code expires. */
  expiresIn: number;
  /** The polling interval the server asked for, in seconds. */
  interval: number;
}

/**
 * Options of {@link loginWithDeviceCode}.
 *
 * @example
 * ```ts
 * import type { DeviceCodeLoginOptions } from '@gatehouse/client';
 * const options: DeviceCodeLoginOptions = { onPrompt: ({ userCode }) => console.error(userCode) };
 * ```
 */
export interface DeviceCodeLoginOptions {
  /** Shows the code and URL to the user (required: without it nobody can approve). */
  onPrompt: (prompt: DeviceCodePrompt) => void;
  /** Scope override. Default: the client's scope, else `openid offline_access`. */
  scope?: string;
  /** Audience override. */
  audience?: string;
  /** Aborting stops polling with {@link LoginCancelledError}. */
  signal?: AbortSignal;
  /** Clock for the token expiry. Default `Date.now`. */
  clock?: Clock;
}

/**
 * Logs in with the device authorization grant (RFC 8628), for machines without a browser: shows a code and a
 * URL, then polls the token endpoint at the server's interval (slowing down when told to) until the user
 * approves, denies or the code expires.
 *
 * @example
 * ```ts
 * import { createOidcClient, loginWithDeviceCode } from '@gatehouse/client';
 *
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-device' });
 * const tokens = await loginWithDeviceCode(client, {
 *   onPrompt: ({ verificationUri, userCode }) => console.error(`Open ${verificationUri} and enter ${userCode}`),
 * });
 * ```
 */
export async function loginWithDeviceCode(
  client: OidcClient,
  options: DeviceCodeLoginOptions,
): Promise<TokenSet> {
  const config = await client.configuration();
  const clock = options.clock ?? Date.now;
  const scope = options.scope ?? client.options.scope ?? DEFAULT_LOGIN_SCOPE;
  const params = client.tokenParameters({ scope, audience: options.audience });
  let started: oidc.DeviceAuthorizationResponse;
  try {
    started = await oidc.initiateDeviceAuthorization(config, params);
  } catch (err) {
    throw mapGrantError('device_code', err, config.serverMetadata().device_authorization_endpoint);
  }
  options.onPrompt({
    userCode: started.user_code,
    verificationUri: started.verification_uri,
    ...(started.verification_uri_complete
      ? { verificationUriComplete: started.verification_uri_complete }
      : {}),
    expiresIn: started.expires_in,
    interval: started.interval ?? 5,
  });
  if (options.signal?.aborted) throw new LoginCancelledError();
  const expiry = AbortSignal.timeout(started.expires_in * 1000);
  const signal = options.signal ? AbortSignal.any([options.signal, expiry]) : expiry;
  try {
    const response = await oidc.pollDeviceAuthorizationGrant(config, started, undefined, {
      signal,
      ...(await client.dpopOptions()),
    });
    return toTokenSet(response, nowSecs(clock));
  } catch (err) {
    if (options.signal?.aborted) throw new LoginCancelledError();
    if (expiry.aborted) throw new DeviceCodeExpiredError();
    const mapped = mapGrantError('device_code', err, config.serverMetadata().token_endpoint);
    if (mapped instanceof TokenRequestError && mapped.oauthError === 'expired_token') {
      throw new DeviceCodeExpiredError(mapped);
    }
    if (mapped instanceof TokenRequestError && mapped.oauthError === 'access_denied') {
      throw new AuthorizationDeniedError('access_denied', mapped.oauthErrorDescription);
    }
    throw mapped;
  }
}
