/**
 * The sender's credentials behind @gatehouse/client's one `TokenSource` interface: a static API key, or
 * client credentials (a token cached until shortly before it expires, renewed once on a 401). The rest
 * of the program only sees an authenticated fetch.
 */
import {
  createApiKeySource,
  createAuthenticatedFetch,
  createClientCredentialsSource,
  createOidcClient,
  type FetchLike,
  type TokenSource,
} from '@gatehouse/client';
import type { Credentials } from './config.js';

export function tokenSourceFor(
  credentials: Credentials,
  env: Readonly<Record<string, string | undefined>>,
): TokenSource {
  if (credentials.kind === 'api_key') return createApiKeySource({ variable: credentials.variable, env });
  const client = createOidcClient({
    issuer: credentials.issuer,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    ...(credentials.audience ? { audience: credentials.audience } : {}),
    ...(credentials.scope ? { scope: credentials.scope } : {}),
  });
  return createClientCredentialsSource(client);
}

/** `fetch` with `Authorization: Bearer …` from the credentials. */
export function authenticatedFetch(
  credentials: Credentials,
  env: Readonly<Record<string, string | undefined>>,
): FetchLike {
  return createAuthenticatedFetch(tokenSourceFor(credentials, env));
}
