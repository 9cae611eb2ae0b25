import { TokenRequestError } from '../errors.js';
import { exchangeToken, TOKEN_EXCHANGE_GRANT, type TokenExchangeOptions } from '../grants/token-endpoint.js';
import type { OidcClient } from '../oidc/client.js';
import type { TokenStore } from '../store/file-token-store.js';
import type { StoredTokens } from '../store/format.js';
import { DEFAULT_REFRESH_BUFFER_SECS, type TokenSet } from '../token-set.js';
import {
  createMemoryCachedSource,
  isUsable,
  RejectedTokens,
  type RenewalOptions,
  type TokenSetSource,
  type TokenSource,
} from './token-source.js';

/**
 * Options of {@link createTokenExchangeSource}.
 *
 * @example
 * ```ts
 * import type { TokenExchangeSourceOptions, TokenSource } from '@gatehouse/client';
 * declare const userSource: TokenSource;
 * const options: TokenExchangeSourceOptions = { subject: userSource, audience: 'urn:reports-api' };
 * ```
 */
export interface TokenExchangeSourceOptions
  extends Omit<TokenExchangeOptions, 'subjectToken' | 'clock'>,
    RenewalOptions {
  /** Where the subject token comes from (a user login, client credentials…). */
  subject: TokenSource;
  /**
   * Also keep the exchanged token in a token file, so that later processes reuse it until shortly before it
   * expires (without asking the subject, or needing the exchanging client's secret); renewal then happens
   * under the file's lock.
   */
  store?: TokenStore;
}

/**
 * A token source that exchanges another source's token (RFC 8693) for one with a different audience,
 * cached until shortly before it expires. If the server refuses the subject token (`invalid_grant`), the
 * subject is told and the exchange is tried once more with a fresh subject token.
 *
 * `client` may be a function: it is then called only when an exchange is actually needed (a stored, still
 * valid exchanged token needs no client, and so no client secret).
 *
 * @example
 * ```ts
 * import { createOidcClient, createTokenExchangeSource, type TokenSource } from '@gatehouse/client';
 *
 * declare const userSource: TokenSource;
 * const service = createOidcClient({
 *   issuer: 'https://idp.example.com',
 *   clientId: 'gatehouse-service',
 *   clientSecret: process.env.SERVICE_SECRET,
 * });
 * const reports = createTokenExchangeSource(service, { subject: userSource, audience: 'urn:reports-api' });
 * const token = await reports.getToken();
 * ```
 */
export function createTokenExchangeSource(
  client: OidcClient | (() => OidcClient),
  options: TokenExchangeSourceOptions,
): TokenSetSource {
  const { subject, clock = Date.now, refreshBufferSecs, store, ...exchange } = options;
  const getClient = typeof client === 'function' ? client : () => client;
  const once = async (): Promise<TokenSet> => {
    const exchanger = getClient();
    return exchangeToken(exchanger, { ...exchange, subjectToken: await subject.getToken(), clock });
  };
  const request = async (): Promise<TokenSet> => {
    try {
      return await once();
    } catch (err) {
      if (!(err instanceof TokenRequestError && err.oauthError === 'invalid_grant' && subject.invalidate))
        throw err;
      subject.invalidate(await subject.getToken());
      return once();
    }
  };
  if (!store) return createMemoryCachedSource(request, { clock, refreshBufferSecs });

  const buffer = refreshBufferSecs ?? DEFAULT_REFRESH_BUFFER_SECS;
  const rejected = new RejectedTokens();
  const target = exchange.audience ?? exchange.resource;
  // A stored token is reused only when it was exchanged for the same target.
  const matches = (t: StoredTokens | undefined) =>
    t?.grantType === TOKEN_EXCHANGE_GRANT && t.audience === target;
  const fresh = (t: StoredTokens | undefined): t is StoredTokens =>
    matches(t) && isUsable(t, rejected, clock, buffer);
  const obtain = async (): Promise<TokenSet> => {
    const stored = await store.read();
    if (fresh(stored)) return stored;
    return store.withLock(async () => {
      const again = await store.read();
      if (fresh(again)) return again;
      const exchanged = await request();
      const exchanger = getClient();
      await store.write({
        ...exchanged,
        issuer: exchanger.issuer,
        clientId: exchanger.clientId,
        grantType: TOKEN_EXCHANGE_GRANT,
        ...(target ? { audience: target } : {}),
      });
      return exchanged;
    });
  };
  return createMemoryCachedSource(obtain, { clock, refreshBufferSecs }, rejected);
}
