import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DevIdp, HeadlessUser } from '@gatehouse/dev-idp';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as client from 'openid-client';

/** openid-client configuration for one of the dev IdP's clients (http issuer: insecure requests allowed). */
export function configFor(idp: DevIdp, clientId: string, secret?: string): Promise<client.Configuration> {
  return client.discovery(
    new URL(idp.issuer),
    clientId,
    undefined,
    secret === undefined ? client.None() : client.ClientSecretBasic(secret),
    { execute: [client.allowInsecureRequests] },
  );
}

/** Verifies an access token against the provider's published JWKS, as a resource server would. */
export async function verifyAccessToken(idp: DevIdp, token: string, audience = idp.audience) {
  const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
  return jwtVerify<JWTPayload & Record<string, unknown>>(token, jwks, {
    issuer: idp.issuer,
    audience,
    typ: 'at+jwt',
  });
}

export interface CodeLogin {
  tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  redirectUri: string;
}

/** Authorization code + PKCE through `loginHeadless`, to a loopback redirect on `port`. */
export async function loginWithCode(
  idp: DevIdp,
  config: client.Configuration,
  user: HeadlessUser,
  { port = 0, scope = 'openid email offline_access api:read', extra = {} as Record<string, string> } = {},
): Promise<CodeLogin> {
  const redirectUri = `http://127.0.0.1:${port || 40000 + Math.floor(Math.random() * 20000)}/callback`;
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const callback = await idp.loginHeadless(url.href, user);
  const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { tokens, redirectUri };
}

/** A callback server on a random loopback port that records the URLs it receives. */
export async function startCallbackServer(): Promise<{
  port: number;
  received: string[];
  close(): Promise<void>;
}> {
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The OAuth `error` code of a rejected openid-client call. */
export async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError) {
      return err.error;
    }
    if (err instanceof client.WWWAuthenticateChallengeError) {
      return ((await err.response.json()) as { error: string }).error;
    }
    throw err;
  }
  throw new Error('expected the request to be refused');
}
