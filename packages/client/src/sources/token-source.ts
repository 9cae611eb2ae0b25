import {
  type Clock,
  DEFAULT_REFRESH_BUFFER_SECS,
  isExpiring,
  nowSecs,
  type PresentedTokenType,
  presentedToken,
  type TokenSet,
} from '../token-set.js';

/**
 * One interface for every way of getting a token: client credentials, a stored user login, token exchange,
 * a static API key. {@link createAuthenticatedFetch} takes any of them.
 *
 * @example
 * ```ts
 * import type { TokenSource } from '@gatehouse/client';
 *
 * const fixed: TokenSource = { getToken: async () => 'a-token' };
 * ```
 */
export interface TokenSource {
  /** A valid access token, obtained or refreshed as needed. Concurrent callers share one request. */
  getToken(): Promise<string>;
  /**
   * Reports that a service rejected `token` (HTTP 401), so the next `getToken()` renews it instead of
   * returning it again. Reports of the same token from concurrent callers lead to one renewal. Sources that
   * cannot renew (a static API key) leave it out.
   */
  invalidate?(rejectedToken: string): void;
}

/**
 * A token source that can also return the full token set.
 *
 * @example
 * ```ts
 * import { createClientCredentialsSource, createOidcClient, type TokenSetSource } from '@gatehouse/client';
 * const client = createOidcClient({ issuer: 'https://idp.example.com', clientId: 'svc', clientSecret: 's' });
 * const source: TokenSetSource = createClientCredentialsSource(client);
 * const { expiresAt } = await source.getTokenSet();
 * ```
 */
export interface TokenSetSource extends TokenSource {
  /** The current token set (access token, expiry, scope…). */
  getTokenSet(): Promise<TokenSet>;
  invalidate(rejectedToken: string): void;
}

/**
 * Timing options shared by the renewing sources.
 *
 * @example
 * ```ts
 * import type { RenewalOptions } from '@gatehouse/client';
 * const options: RenewalOptions = { refreshBufferSecs: 120, clock: () => Date.now() };
 * ```
 */
export interface RenewalOptions {
  /** Clock in milliseconds. Default `Date.now`. */
  clock?: Clock;
  /** The largest refresh buffer in seconds (see {@link refreshBufferSecs}). Default 300. */
  refreshBufferSecs?: number;
}

/** Runs one operation at a time; callers arriving meanwhile share its result. */
export class SingleFlight<T> {
  private current: Promise<T> | undefined;
  run(operation: () => Promise<T>): Promise<T> {
    this.current ??= operation().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }
}

/** Tracks the tokens a service rejected, so they are not handed out again. */
export class RejectedTokens {
  private readonly tokens = new Set<string>();
  add(token: string): void {
    this.tokens.add(token);
    if (this.tokens.size > 16) this.tokens.delete(this.tokens.values().next().value as string);
  }
  has(token: string): boolean {
    return this.tokens.has(token);
  }
}

/** True when a token set's presented token can be handed out now. */
export function isUsable(
  tokens: TokenSet | undefined,
  rejected: RejectedTokens,
  clock: Clock,
  maxBufferSecs: number = DEFAULT_REFRESH_BUFFER_SECS,
  type: PresentedTokenType = 'access_token',
): boolean {
  if (!tokens) return false;
  const sent = presentedToken(tokens, type);
  return !!sent && !rejected.has(sent.token) && !isExpiring(tokens, nowSecs(clock), maxBufferSecs, type);
}

/**
 * A source that keeps its token in memory and renews it with `obtain` shortly before expiry (or after a
 * rejection); concurrent callers share one renewal. Pass `rejected` when `obtain` must also skip rejected
 * tokens (one it reads from a token file).
 */
export function createMemoryCachedSource(
  obtain: () => Promise<TokenSet>,
  options: RenewalOptions = {},
  rejected: RejectedTokens = new RejectedTokens(),
): TokenSetSource {
  const clock = options.clock ?? Date.now;
  const buffer = options.refreshBufferSecs ?? DEFAULT_REFRESH_BUFFER_SECS;
  const flight = new SingleFlight<TokenSet>();
  let cached: TokenSet | undefined;
  const getTokenSet = async (): Promise<TokenSet> => {
    if (cached && isUsable(cached, rejected, clock, buffer)) return cached;
    return flight.run(async () => {
      cached = await obtain();
      return cached;
    });
  };
  return {
    getTokenSet,
    getToken: async () => (await getTokenSet()).accessToken,
    invalidate: (token) => rejected.add(token),
  };
}
