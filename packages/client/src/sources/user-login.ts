import { IdTokenUnavailableError, LoginRequiredError, NetworkError, TokenRequestError } from '../errors.js';
import { refreshAccessToken } from '../grants/token-endpoint.js';
import type { OidcClient } from '../oidc/client.js';
import type { TokenStore } from '../store/file-token-store.js';
import type { StoredTokens } from '../store/format.js';
import {
  type Clock,
  DEFAULT_REFRESH_BUFFER_SECS,
  nowSecs,
  type PresentedTokenType,
  presentedToken,
  type TokenSet,
} from '../token-set.js';
import {
  isUsable,
  RejectedTokens,
  type RenewalOptions,
  SingleFlight,
  type TokenSetSource,
} from './token-source.js';

/**
 * Runs an interactive login (browser or device) and returns its tokens.
 *
 * @example
 * ```ts
 * import { createOidcClient, type LoginFunction, loginWithDeviceCode } from '@gatehouse/client';
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-device' });
 * const login: LoginFunction = () => loginWithDeviceCode(client, { onPrompt: ({ userCode }) => console.error(userCode) });
 * ```
 */
export type LoginFunction = () => Promise<TokenSet>;

/**
 * The default advice in {@link LoginRequiredError}.
 *
 * @example
 * ```ts
 * import { DEFAULT_LOGIN_HINT } from '@gatehouse/client';
 * console.log(DEFAULT_LOGIN_HINT); // run `gatehouse login`
 * ```
 */
export const DEFAULT_LOGIN_HINT = 'run `gatehouse login`';

/**
 * Options of {@link createUserTokenSource}.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, type UserTokenSourceOptions } from '@gatehouse/client';
 * const options: UserTokenSourceOptions = { store: createFileTokenStore({ profile: 'dev' }), loginHint: 'run `mytool login`' };
 * ```
 */
export interface UserTokenSourceOptions extends RenewalOptions {
  /** Where the login is kept (one file per profile). */
  store: TokenStore;
  /**
   * How to log in when there are no usable tokens (first run, or the refresh token was rejected). Pass one
   * only when a user can interact; without it those cases throw {@link LoginRequiredError}.
   */
  login?: LoginFunction;
  /** The grant `login` uses, recorded in the token file (`authorization_code` or `device_code`). */
  grantType?: string;
  /** What {@link LoginRequiredError} tells the user to do. Default: "run `gatehouse login`". */
  loginHint?: string;
  /**
   * The token `getToken()` returns and keeps fresh: the access token (default) or the ID token, which is
   * then refreshed before it expires. With `id_token`, a login or refresh without a usable ID token throws
   * {@link IdTokenUnavailableError}.
   */
  tokenType?: PresentedTokenType;
}

/**
 * A stored user login that refreshes itself.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, createOidcClient, createUserTokenSource, type UserTokenSource } from '@gatehouse/client';
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' });
 * const source: UserTokenSource = createUserTokenSource(client, { store: createFileTokenStore() });
 * const { expiresAt } = await source.getTokenSet();
 * ```
 */
export interface UserTokenSource extends TokenSetSource {
  /** Runs `options.login` now (even with valid tokens) and stores the result. */
  login(): Promise<StoredTokens>;
}

/**
 * A token source for a human's login, kept in a token file: it returns the stored access token while it is
 * fresh, refreshes it (saving a rotated refresh token) inside the refresh buffer, and logs in again when
 * there is nothing to refresh (interactive) or says to run `gatehouse login` (non-interactive).
 *
 * Concurrent callers in a process share one refresh; processes sharing the file take its lock and re-read it
 * first, so a refresh done by another process is reused rather than repeated.
 *
 * @example
 * ```ts
 * import {
 *   createFileTokenStore,
 *   createOidcClient,
 *   createUserTokenSource,
 *   loginWithAuthorizationCode,
 * } from '@gatehouse/client';
 *
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'gatehouse-cli' });
 * const source = createUserTokenSource(client, {
 *   store: createFileTokenStore({ profile: 'default', issuer: client.issuer, clientId: client.clientId }),
 *   login: process.stdin.isTTY ? () => loginWithAuthorizationCode(client) : undefined,
 * });
 * const token = await source.getToken();
 * ```
 */
export function createUserTokenSource(client: OidcClient, options: UserTokenSourceOptions): UserTokenSource {
  const { store } = options;
  const clock: Clock = options.clock ?? Date.now;
  const buffer = options.refreshBufferSecs ?? DEFAULT_REFRESH_BUFFER_SECS;
  const hint = options.loginHint ?? DEFAULT_LOGIN_HINT;
  const type: PresentedTokenType = options.tokenType ?? 'access_token';
  const rejected = new RejectedTokens();
  const flight = new SingleFlight<StoredTokens>();
  let cached: StoredTokens | undefined;
  const usable = (t: StoredTokens | undefined): boolean => isUsable(t, rejected, clock, buffer, type);
  /** A set fresh from the provider must present a usable token; only an ID token can be missing. */
  const checkFresh = (t: StoredTokens, what: string): StoredTokens => {
    if (type === 'id_token' && !usable(t)) {
      throw new IdTokenUnavailableError(
        t.idToken ? `the ${what} did not renew the expiring ID token` : `the ${what} returned no ID token`,
      );
    }
    return t;
  };

  const toStored = (tokens: TokenSet): StoredTokens => ({
    ...tokens,
    issuer: client.issuer,
    clientId: client.clientId,
    ...(options.grantType ? { grantType: options.grantType } : {}),
    ...(client.options.audience ? { audience: client.options.audience } : {}),
  });

  const login = async (reason: string, cause?: unknown): Promise<StoredTokens> => {
    if (!options.login) throw new LoginRequiredError(reason, hint, cause);
    const stored = toStored(await options.login());
    await store.withLock(() => store.write(stored));
    return checkFresh(stored, 'login');
  };

  type LoginNeeded = { loginReason: string; cause?: unknown };
  const nothingToRefresh = (t: StoredTokens | undefined): LoginNeeded => ({
    loginReason: t ? 'the access token expired and there is no refresh token' : 'no stored login',
  });

  /** Under the file lock: re-read, and refresh only if nobody else has. */
  const refreshLocked = (): Promise<StoredTokens | LoginNeeded> =>
    store.withLock(async () => {
      const current = await store.read();
      if (current && usable(current)) return current; // another process (or caller) refreshed meanwhile
      if (!current?.refreshToken) return nothingToRefresh(current);
      let fresh: TokenSet;
      try {
        fresh = await refreshAccessToken(client, current.refreshToken, { clock });
      } catch (err) {
        if (err instanceof TokenRequestError && err.oauthError) {
          // invalid_grant & co: the refresh token is dead (expired, revoked, or already rotated away).
          return { loginReason: `the refresh was refused: ${err.oauthError}`, cause: err };
        }
        const sent = presentedToken(current, type);
        const stillValid = !!sent && (sent.expiresAt === undefined || sent.expiresAt > nowSecs(clock));
        if (err instanceof NetworkError && stillValid && !rejected.has(sent.token)) {
          return current; // the server is unreachable, but the token has not expired yet: keep using it
        }
        throw err;
      }
      const next: StoredTokens = {
        ...current,
        ...fresh,
        refreshToken: fresh.refreshToken ?? current.refreshToken, // keep the old one unless rotated
        idToken: fresh.idToken ?? current.idToken,
        scope: fresh.scope ?? current.scope,
      };
      if (fresh.expiresAt === undefined) delete next.expiresAt;
      await store.write(next);
      return checkFresh(next, 'refresh');
    });

  const getTokenSet = async (): Promise<StoredTokens> => {
    if (cached && usable(cached)) return cached;
    return flight.run(async () => {
      const stored = await store.read();
      if (stored && usable(stored)) {
        cached = stored;
        return stored;
      }
      const result = stored?.refreshToken ? await refreshLocked() : nothingToRefresh(stored);
      cached = 'loginReason' in result ? await login(result.loginReason, result.cause) : result;
      return cached;
    });
  };

  return {
    getTokenSet,
    getToken: async () => presentedToken(await getTokenSet(), type)!.token,
    invalidate(token) {
      rejected.add(token);
    },
    login() {
      return flight.run(async () => {
        cached = await login('login requested');
        return cached;
      });
    },
  };
}
