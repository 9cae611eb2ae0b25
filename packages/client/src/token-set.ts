import { decodeJwt } from 'jose';
import type { TokenEndpointResponse } from 'openid-client';

/**
 * The tokens of one grant, in the shape the rest of the library uses. Times are seconds since the epoch.
 *
 * @example
 * ```ts
 * import type { TokenSet } from '@gatehouse/client';
 * const tokens: TokenSet = { accessToken: 'at', tokenType: 'Bearer', obtainedAt: 1_700_000_000, expiresAt: 1_700_000_600 };
 * ```
 */
export interface TokenSet {
  /** The access token. */
  accessToken: string;
  /** Usually `Bearer`. */
  tokenType: string;
  /** When the access token expires; unset when the server said nothing and the token is not a JWT. */
  expiresAt?: number;
  /** When the token was obtained (to compute its lifetime). */
  obtainedAt: number;
  /** The refresh token, if one was issued. */
  refreshToken?: string;
  /** The ID token, if one was issued. */
  idToken?: string;
  /** The granted scope, if the server said. */
  scope?: string;
}

/**
 * A clock in milliseconds, like `Date.now`. Tests pass a fixed one.
 *
 * @example
 * ```ts
 * import { type Clock, createClientCredentialsSource, createOidcClient } from '@gatehouse/client';
 * let now = Date.now();
 * const clock: Clock = () => now;
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'svc', clientSecret: 's' });
 * const source = createClientCredentialsSource(client, { clock });
 * ```
 */
export type Clock = () => number;

/**
 * The largest refresh buffer: 5 minutes.
 *
 * @example
 * ```ts
 * import { DEFAULT_REFRESH_BUFFER_SECS, refreshBufferSecs } from '@gatehouse/client';
 * refreshBufferSecs(86_400) === DEFAULT_REFRESH_BUFFER_SECS; // true: never more than 5 minutes
 * ```
 */
export const DEFAULT_REFRESH_BUFFER_SECS = 300;

/** The share of a token's lifetime used as the refresh buffer when that is shorter than the maximum. */
export const REFRESH_BUFFER_FRACTION = 0.1;

/**
 * How long before expiry a token is renewed: `min(maxBufferSecs, 10% of its lifetime)`.
 * A 1-hour token is renewed 5 minutes early, a 10-minute token 60 s early, a 60 s token 6 s early, so a
 * short-lived token is never "always expiring".
 *
 * @example
 * ```ts
 * import { refreshBufferSecs } from '@gatehouse/client';
 * refreshBufferSecs(3600); // 300
 * refreshBufferSecs(600); // 60
 * ```
 */
export function refreshBufferSecs(lifetimeSecs: number, maxBufferSecs = DEFAULT_REFRESH_BUFFER_SECS): number {
  return Math.max(0, Math.min(maxBufferSecs, lifetimeSecs * REFRESH_BUFFER_FRACTION));
}

/**
 * Which token of a set is sent as the bearer credential: the access token (the default), or the ID token
 * (Google: services validate ID tokens whose audience is the OAuth client id).
 *
 * @example
 * ```ts
 * import type { PresentedTokenType } from '@gatehouse/client';
 * const type: PresentedTokenType = 'id_token';
 * ```
 */
export type PresentedTokenType = 'access_token' | 'id_token';

/**
 * The values of {@link PresentedTokenType}, the default first.
 *
 * @example
 * ```ts
 * import { PRESENTED_TOKEN_TYPES } from '@gatehouse/client';
 * console.log(PRESENTED_TOKEN_TYPES.join(', ')); // access_token, id_token
 * ```
 */
export const PRESENTED_TOKEN_TYPES: readonly PresentedTokenType[] = ['access_token', 'id_token'];

/**
 * The token a set presents, with its own expiry and issue time (for an ID token, its `exp` and `iat`).
 *
 * @example
 * ```ts
 * import { presentedToken, type PresentedToken, type TokenSet } from '@gatehouse/client';
 * declare const tokens: TokenSet;
 * const sent: PresentedToken | undefined = presentedToken(tokens, 'id_token');
 * console.log(sent?.expiresAt);
 * ```
 */
export interface PresentedToken {
  token: string;
  /** Seconds since the epoch; unset when unknown. */
  expiresAt?: number;
  /** When it was issued (its lifetime is `expiresAt - issuedAt`). */
  issuedAt: number;
}

/**
 * The access token or the ID token of a set, with its expiry; `undefined` when the set has no ID token.
 *
 * @example
 * ```ts
 * import { presentedToken, type TokenSet } from '@gatehouse/client';
 * declare const tokens: TokenSet;
 * const bearer = presentedToken(tokens, 'access_token')!.token;
 * ```
 */
export function presentedToken(
  tokens: TokenSet,
  type: PresentedTokenType = 'access_token',
): PresentedToken | undefined {
  if (type === 'access_token') {
    const out: PresentedToken = { token: tokens.accessToken, issuedAt: tokens.obtainedAt };
    if (tokens.expiresAt !== undefined) out.expiresAt = tokens.expiresAt;
    return out;
  }
  if (!tokens.idToken) return undefined;
  const { exp, iat } = jwtTimes(tokens.idToken);
  const out: PresentedToken = { token: tokens.idToken, issuedAt: iat ?? tokens.obtainedAt };
  if (exp !== undefined) out.expiresAt = exp;
  return out;
}

/**
 * True when the presented token of a set (the access token unless told) is expired or inside its refresh
 * buffer at `nowSecs`, or missing. A token without a known expiry is used until the server rejects it
 * (the fetch wrapper then refreshes on the 401).
 *
 * @example
 * ```ts
 * import { isExpiring } from '@gatehouse/client';
 * isExpiring({ accessToken: 'x', tokenType: 'Bearer', obtainedAt: 0, expiresAt: 600 }, 541); // true
 * ```
 */
export function isExpiring(
  tokens: TokenSet,
  nowSecs: number,
  maxBufferSecs = DEFAULT_REFRESH_BUFFER_SECS,
  type: PresentedTokenType = 'access_token',
): boolean {
  const sent = presentedToken(tokens, type);
  if (!sent) return true;
  if (sent.expiresAt === undefined) return false;
  const lifetime = Math.max(0, sent.expiresAt - sent.issuedAt);
  return nowSecs >= sent.expiresAt - refreshBufferSecs(lifetime, maxBufferSecs);
}

/** Converts openid-client's token response; the expiry falls back to the access token's `exp` claim. */
export function toTokenSet(response: TokenEndpointResponse, nowSecs: number): TokenSet {
  const set: TokenSet = {
    accessToken: response.access_token,
    tokenType: response.token_type ?? 'Bearer',
    obtainedAt: nowSecs,
  };
  if (typeof response.expires_in === 'number') set.expiresAt = nowSecs + response.expires_in;
  else {
    const exp = jwtExpiry(response.access_token);
    if (exp !== undefined) set.expiresAt = exp;
  }
  if (response.refresh_token) set.refreshToken = response.refresh_token;
  if (response.id_token) set.idToken = response.id_token;
  if (response.scope) set.scope = response.scope;
  return set;
}

function jwtExpiry(token: string): number | undefined {
  return jwtTimes(token).exp;
}

/** `exp` and `iat` of a JWT, when it is one (an opaque token has neither). */
function jwtTimes(token: string): { exp?: number; iat?: number } {
  try {
    const { exp, iat } = decodeJwt(token);
    return {
      ...(typeof exp === 'number' ? { exp } : {}),
      ...(typeof iat === 'number' ? { iat } : {}),
    };
  } catch {
    return {};
  }
}

/** Seconds since the epoch from a millisecond clock. */
export function nowSecs(clock: Clock): number {
  return Math.floor(clock() / 1000);
}
