import { requestClientCredentialsToken, type TokenRequestOptions } from '../grants/token-endpoint.js';
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
} from './token-source.js';

/**
 * Options of {@link createClientCredentialsSource}.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, type ClientCredentialsSourceOptions } from '@gatehouse/client';
 * const options: ClientCredentialsSourceOptions = { scope: 'api:write', store: createFileTokenStore({ profile: 'svc' }) };
 * ```
 */
export interface ClientCredentialsSourceOptions extends Omit<TokenRequestOptions, 'clock'>, RenewalOptions {
  /**
   * Also keep the token in a token file, so separate processes (successive `gatehouse token` runs) reuse it;
   * renewal then happens under the file's lock.
   */
  store?: TokenStore;
}

/**
 * A token source for services: the client credentials grant, the token cached until shortly before expiry,
 * concurrent callers sharing one request.
 *
 * @example
 * ```ts
 * import { createAuthenticatedFetch, createClientCredentialsSource, createOidcClient } from '@gatehouse/client';
 *
 * const client = createOidcClient({
 *   issuer: 'https://idp.example.com',
 *   clientId: 'billing-service',
 *   clientSecret: process.env.BILLING_CLIENT_SECRET,
 *   audience: 'urn:gatehouse:example-api',
 * });
 * const fetchWithAuth = createAuthenticatedFetch(createClientCredentialsSource(client));
 * const res = await fetchWithAuth('https://api.example.com/v1/whoami');
 * ```
 */
export function createClientCredentialsSource(
  client: OidcClient,
  options: ClientCredentialsSourceOptions = {},
): TokenSetSource {
  const clock = options.clock ?? Date.now;
  const request = (): Promise<TokenSet> =>
    requestClientCredentialsToken(client, { scope: options.scope, audience: options.audience, clock });
  const { store } = options;
  if (!store) return createMemoryCachedSource(request, options);

  const buffer = options.refreshBufferSecs ?? DEFAULT_REFRESH_BUFFER_SECS;
  const rejected = new RejectedTokens();
  const audience = options.audience ?? client.options.audience;
  const wantedScopes = (options.scope ?? client.options.scope)?.split(/\s+/).filter(Boolean) ?? [];
  // A cached token is reused only for the same audience and (at least) the scopes asked for now.
  const matches = (t: StoredTokens | undefined) => {
    if (t?.grantType !== 'client_credentials') return false;
    if (audience !== t.audience) return false;
    const granted = new Set(t.scope?.split(/\s+/) ?? []);
    return wantedScopes.every((s) => granted.has(s));
  };
  const obtain = async (): Promise<TokenSet> => {
    const stored = await store.read();
    if (matches(stored) && isUsable(stored, rejected, clock, buffer)) return stored as StoredTokens;
    return store.withLock(async () => {
      const again = await store.read();
      if (matches(again) && isUsable(again, rejected, clock, buffer)) return again as StoredTokens;
      const fresh = await request();
      await store.write({
        ...fresh,
        issuer: client.issuer,
        clientId: client.clientId,
        grantType: 'client_credentials',
        ...(audience ? { audience } : {}),
      });
      return fresh;
    });
  };
  // One rejected list: a token refused by a service is skipped in memory and in the file alike.
  return createMemoryCachedSource(obtain, options, rejected);
}
