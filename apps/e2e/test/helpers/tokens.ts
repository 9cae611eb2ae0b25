/**
 * Real tokens from a dev IdP running as a process: client credentials for the service, and a person's
 * login (authorization code + PKCE) walked headlessly through the IdP's own pages.
 */
import * as oidc from 'openid-client';
import { walkLogin } from '../fixtures/headless-browser.mjs';

export const AUDIENCE = 'urn:gatehouse:example-api';
export const SERVICE_CLIENT = { id: 'gatehouse-service', secret: 'gatehouse-service-dev-secret' };
export const CLI_CLIENT_ID = 'gatehouse-cli';

const insecure = { execute: [oidc.allowInsecureRequests] };

/** An access token for the service client, by client credentials. */
export async function serviceToken(issuer: string, scope = 'api:read api:write'): Promise<string> {
  const config = await oidc.discovery(
    new URL(issuer),
    SERVICE_CLIENT.id,
    SERVICE_CLIENT.secret,
    undefined,
    insecure,
  );
  const tokens = await oidc.clientCredentialsGrant(config, { resource: AUDIENCE, scope });
  return tokens.access_token;
}

/** A person's access token (`alice` is the demo admin, `bob` is not), via a headless browser login. */
export async function userToken(issuer: string, username: 'alice' | 'bob' | 'mallory'): Promise<string> {
  const config = await oidc.discovery(new URL(issuer), CLI_CLIENT_ID, undefined, oidc.None(), insecure);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:48080/callback',
    scope: 'openid email api:read',
    resource: AUDIENCE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await walkLogin(url.href, { username, password: username });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return tokens.access_token;
}
