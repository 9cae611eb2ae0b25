/**
 * Real tokens from a dev IdP running as a process, through @gatehouse/client: client credentials for the
 * service, and a person's login (authorization code + PKCE, loopback callback) with a headless browser
 * walking the IdP's own pages.
 */
import {
  createOidcClient,
  loginWithAuthorizationCode,
  requestClientCredentialsToken,
} from '@gatehouse/client';
import { walkLogin } from '../fixtures/headless-browser.mjs';

export const AUDIENCE = 'urn:gatehouse:example-api';
export const SERVICE_CLIENT = { id: 'gatehouse-service', secret: 'gatehouse-service-dev-secret' };
export const CLI_CLIENT_ID = 'gatehouse-cli';

/** An access token for the service client, by client credentials. */
export async function serviceToken(issuer: string, scope = 'api:read api:write'): Promise<string> {
  const client = createOidcClient({
    issuer,
    clientId: SERVICE_CLIENT.id,
    clientSecret: SERVICE_CLIENT.secret,
    audience: AUDIENCE,
    scope,
  });
  return (await requestClientCredentialsToken(client)).accessToken;
}

/** A person's access token (`alice` is the demo admin, `bob` is not), via a headless browser login. */
export async function userToken(issuer: string, username: 'alice' | 'bob' | 'mallory'): Promise<string> {
  const client = createOidcClient({ issuer, clientId: CLI_CLIENT_ID, audience: AUDIENCE });
  const tokens = await loginWithAuthorizationCode(client, {
    port: 0,
    scope: 'openid email api:read',
    openBrowser: (url) => walkLogin(url, { username, password: username }, { deliver: true }).then(() => {}),
    timeoutSecs: 30,
  });
  return tokens.accessToken;
}
