/**
 * The sender's credentials behind one interface: a token source and a fetch that adds the bearer token.
 *
 * INTERIM: a minimal stand-in for @gatehouse/client (createApiKeySource, createClientCredentialsSource,
 * createAuthenticatedFetch) until that package is merged into main; same shapes, replaced by it then.
 */
import type { Credentials } from './config.js';
import type { FetchLike } from './sender.js';

export interface TokenSource {
  getToken(): Promise<string>;
  invalidate?(token: string): void;
}

export function tokenSourceFor(
  credentials: Credentials,
  env: Readonly<Record<string, string | undefined>>,
): TokenSource {
  if (credentials.kind === 'api_key') {
    const key = env[credentials.variable]?.trim() ?? '';
    return { getToken: async () => key };
  }
  let cached: { token: string; expiresAt: number } | undefined;
  return {
    async getToken() {
      if (cached && cached.expiresAt > Date.now() + 30_000) return cached.token;
      const meta = (await (await fetch(`${credentials.issuer}/.well-known/openid-configuration`)).json()) as {
        token_endpoint: string;
      };
      const params = new URLSearchParams({ grant_type: 'client_credentials' });
      if (credentials.audience) params.set('resource', credentials.audience);
      if (credentials.scope) params.set('scope', credentials.scope);
      const res = await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: params,
      });
      if (!res.ok) throw new Error(`the token endpoint refused the client credentials (${res.status})`);
      const body = (await res.json()) as { access_token: string; expires_in?: number };
      cached = { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 60) * 1000 };
      return cached.token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

export function createAuthenticatedFetch(source: TokenSource): FetchLike {
  return async (input, init) => {
    const send = (token: string) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const token = await source.getToken();
    const first = await send(token);
    if (first.status !== 401 || !source.invalidate) return first;
    source.invalidate(token);
    return send(await source.getToken());
  };
}
