import { TokenRequestError } from '../errors.js';
import { exchangeToken, type TokenExchangeOptions } from '../grants/token-endpoint.js';
import type { OidcClient } from '../oidc/client.js';
import type { TokenSet } from '../token-set.js';
import {
  createMemoryCachedSource,
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
}

/**
 * A token source that exchanges another source's token (RFC 8693) for one with a different audience,
 * cached until shortly before it expires. If the server refuses the subject token (`invalid_grant`), the
 * subject is told and the exchange is tried once more with a fresh subject token.
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
  client: OidcClient,
  options: TokenExchangeSourceOptions,
): TokenSetSource {
  const { subject, clock, refreshBufferSecs, ...exchange } = options;
  const once = async (): Promise<{ set: TokenSet; subjectToken: string }> => {
    const subjectToken = await subject.getToken();
    return { set: await exchangeToken(client, { ...exchange, subjectToken, clock }), subjectToken };
  };
  const obtain = async (): Promise<TokenSet> => {
    try {
      return (await once()).set;
    } catch (err) {
      if (!(err instanceof TokenRequestError && err.oauthError === 'invalid_grant' && subject.invalidate))
        throw err;
      subject.invalidate(await subject.getToken());
      return (await once()).set;
    }
  };
  return createMemoryCachedSource(obtain, { clock, refreshBufferSecs });
}
