import * as oidc from 'openid-client';
import { AuthorizationDeniedError, InvalidAuthorizationResponseError } from '../errors.js';
import { type CallbackServerOptions, startCallbackServer } from '../loopback/callback-server.js';
import type { OidcClient } from '../oidc/client.js';
import { isNetworkFailure, mapGrantError } from '../oidc/map-error.js';
import { createNonce, createPkcePair, createState } from '../pkce.js';
import { type Clock, nowSecs, type TokenSet, toTokenSet } from '../token-set.js';
import { type BrowserOpener, openSystemBrowser } from './browser.js';

/**
 * The scope of a login when none is configured.
 *
 * @example
 * ```ts
 * import { DEFAULT_LOGIN_SCOPE } from '@gatehouse/client';
 * const scope = `${DEFAULT_LOGIN_SCOPE} api:read`;
 * ```
 */
export const DEFAULT_LOGIN_SCOPE = 'openid offline_access';

/**
 * Options of {@link loginWithAuthorizationCode}.
 *
 * @example
 * ```ts
 * import type { AuthorizationCodeLoginOptions } from '@gatehouse/client';
 * const options: AuthorizationCodeLoginOptions = { port: 48080, openBrowser: false, onAuthorizationUrl: (url) => console.error(url) };
 * ```
 */
export interface AuthorizationCodeLoginOptions
  extends Pick<CallbackServerOptions, 'host' | 'port' | 'path' | 'timeoutSecs' | 'signal'> {
  /** Scope override; `openid` is always added (the `nonce` check needs an ID token). */
  scope?: string;
  /** Audience override. */
  audience?: string;
  /** How to open the browser; `false` only prints the URL (`--no-browser`). Default: the system browser. */
  openBrowser?: BrowserOpener | false;
  /** Called with the authorization URL before the browser opens, so it can be printed for the user. */
  onAuthorizationUrl?: (url: string) => void;
  /** Called when the browser could not be opened (the URL was printed; the login keeps waiting). */
  onBrowserError?: (err: unknown) => void;
  /** Extra authorization request parameters (`prompt`, `login_hint`…). */
  extraParameters?: Record<string, string>;
  /** Clock for the token expiry. Default `Date.now`. */
  clock?: Clock;
}

/**
 * Logs a user in with the authorization code grant and PKCE (S256): starts the loopback callback server,
 * opens the browser on the authorization URL, waits for the one callback, checks `state` and the ID
 * token's `nonce`, and exchanges the code. Works for public clients (no secret) and confidential ones.
 *
 * @example
 * ```ts
 * import { createOidcClient, loginWithAuthorizationCode } from '@gatehouse/client';
 *
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' });
 * const tokens = await loginWithAuthorizationCode(client, {
 *   onAuthorizationUrl: (url) => console.error(`Open this URL to sign in:\n${url}`),
 * });
 * ```
 */
export async function loginWithAuthorizationCode(
  client: OidcClient,
  options: AuthorizationCodeLoginOptions = {},
): Promise<TokenSet> {
  const config = await client.configuration();
  const clock = options.clock ?? Date.now;
  const pkce = await createPkcePair();
  const state = createState();
  const nonce = createNonce();
  const server = await startCallbackServer({
    host: options.host,
    port: options.port,
    path: options.path,
    timeoutSecs: options.timeoutSecs,
    signal: options.signal,
    expectedState: state,
  });
  try {
    const scope = withOpenId(options.scope ?? client.options.scope ?? DEFAULT_LOGIN_SCOPE);
    // OIDC Core §11: a refresh token for offline_access needs prompt=consent at most providers (and Google's
    // access_type=offline); the caller's own prompt wins.
    const url = oidc.buildAuthorizationUrl(config, {
      ...client.offlineParameters(scope),
      ...options.extraParameters,
      ...client.tokenParameters({ scope, audience: options.audience }),
      redirect_uri: server.redirectUri,
      response_type: 'code',
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
      state,
      nonce,
    });
    options.onAuthorizationUrl?.(url.href);
    const opener = options.openBrowser === undefined ? openSystemBrowser : options.openBrowser;
    if (opener) {
      // Not awaited before waiting: an opener may only return once the callback has been delivered.
      Promise.resolve()
        .then(() => opener(url.href))
        .catch((err: unknown) => options.onBrowserError?.(err));
    }
    const callbackUrl = await server.waitForCallback();
    const error = callbackUrl.searchParams.get('error');
    if (error) {
      throw new AuthorizationDeniedError(
        error,
        callbackUrl.searchParams.get('error_description') ?? undefined,
      );
    }
    try {
      const response = await oidc.authorizationCodeGrant(
        config,
        callbackUrl,
        {
          pkceCodeVerifier: pkce.verifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        },
        undefined,
        await client.dpopOptions(),
      );
      return toTokenSet(response, nowSecs(clock));
    } catch (err) {
      throw mapLoginError('authorization_code', err, config);
    }
  } finally {
    await server.close();
  }
}

/** Adds `openid` to a scope string when missing. */
export function withOpenId(scope: string): string {
  const parts = scope.split(/\s+/).filter(Boolean);
  return parts.includes('openid') ? parts.join(' ') : ['openid', ...parts].join(' ');
}

/** Maps openid-client errors of a login (authorization response and ID token checks included). */
export function mapLoginError(grantType: string, err: unknown, config: oidc.Configuration): Error {
  if (err instanceof oidc.AuthorizationResponseError) {
    return new AuthorizationDeniedError(err.error, err.error_description);
  }
  if (err instanceof oidc.ClientError || (err instanceof TypeError && !isNetworkFailure(err))) {
    return new InvalidAuthorizationResponseError(err.message, err);
  }
  return mapGrantError(grantType, err, config.serverMetadata().token_endpoint);
}
