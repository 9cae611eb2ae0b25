import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ACCESS_TOKEN_TYPE,
  CLI_CLIENT_ID,
  type DevIdp,
  SERVICE_CLIENT_ID,
  SERVICE_CLIENT_SECRET,
  startDevIdp,
  TOKEN_EXCHANGE_GRANT_TYPE,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
} from '../src/index.js';
import { configFor, loginWithCode, oauthError, verifyAccessToken } from './helpers.js';

const OTHER_API = 'https://other-api.example';

let idp: DevIdp;
let cli: client.Configuration;
let aliceToken: string;

beforeAll(async () => {
  idp = await startDevIdp({ extraAudiences: [OTHER_API] });
  cli = await configFor(idp, CLI_CLIENT_ID);
  const { tokens } = await loginWithCode(
    idp,
    cli,
    { username: 'alice', password: 'alice' },
    {
      scope: 'openid api:read api:write',
    },
  );
  aliceToken = tokens.access_token;
});
afterAll(() => idp.close());

function exchange(
  config: client.Configuration,
  subjectToken: string,
  parameters: Record<string, string> = {},
) {
  return client.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT_TYPE, {
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    ...parameters,
  });
}

describe('token exchange (RFC 8693)', () => {
  test('a user token becomes a token for another audience, same sub, acting client in act', async () => {
    const response = await exchange(cli, aliceToken, { audience: OTHER_API });

    expect(response.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(response.token_type).toBe('bearer');
    const { payload } = await verifyAccessToken(idp, response.access_token, OTHER_API);
    expect(payload).toMatchObject({
      sub: 'alice',
      aud: OTHER_API,
      scope: 'api:read api:write',
      email: 'alice@example.com',
      email_verified: true,
      client_id: CLI_CLIENT_ID,
      act: { sub: CLI_CLIENT_ID },
    });
  });

  test('resource works like audience, and the scope can be narrowed', async () => {
    const response = await exchange(cli, aliceToken, { resource: OTHER_API, scope: 'api:read' });
    const { payload } = await verifyAccessToken(idp, response.access_token, OTHER_API);
    expect(payload).toMatchObject({ sub: 'alice', scope: 'api:read' });
  });

  test('the service client exchanges its own token; a second exchange nests act', async () => {
    const service = await configFor(idp, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET);
    const own = await client.clientCredentialsGrant(service, { scope: 'api:read' });
    const first = await exchange(service, own.access_token, { audience: OTHER_API });
    expect((await verifyAccessToken(idp, first.access_token, OTHER_API)).payload).toMatchObject({
      sub: SERVICE_CLIENT_ID,
      act: { sub: SERVICE_CLIENT_ID },
    });

    const second = await exchange(cli, first.access_token, { audience: idp.audience });
    expect((await verifyAccessToken(idp, second.access_token)).payload).toMatchObject({
      sub: SERVICE_CLIENT_ID,
      act: { sub: CLI_CLIENT_ID, act: { sub: SERVICE_CLIENT_ID } },
    });
  });

  test('an invalid subject token is invalid_grant', async () => {
    const [header, payload] = aliceToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    expect(await oauthError(exchange(cli, forged, { audience: OTHER_API }))).toBe('invalid_grant');
    expect(await oauthError(exchange(cli, 'not-a-jwt', { audience: OTHER_API }))).toBe('invalid_grant');

    const expired = await idp.signAccessToken({ sub: 'alice', scope: 'api:read' }, { expiresInSecs: -120 });
    expect(await oauthError(exchange(cli, expired, { audience: OTHER_API }))).toBe('invalid_grant');
  });

  test('an unknown audience is invalid_target', async () => {
    const result = exchange(cli, aliceToken, { audience: 'https://unknown.example' });
    expect(await oauthError(result)).toBe('invalid_target');
  });

  test('asking for more scope than the subject token holds is invalid_scope', async () => {
    const result = exchange(cli, aliceToken, { audience: OTHER_API, scope: 'api:admin' });
    expect(await oauthError(result)).toBe('invalid_scope');
  });

  test('a subject token type other than access_token is invalid_request', async () => {
    const result = exchange(cli, aliceToken, {
      audience: OTHER_API,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    expect(await oauthError(result)).toBe('invalid_request');
  });

  test('a client without the grant type cannot use it', async () => {
    const web = await configFor(idp, WEB_CLIENT_ID, WEB_CLIENT_SECRET);
    // oidc-provider answers invalid_request ("requested grant type is not allowed for this client").
    expect(await oauthError(exchange(web, aliceToken, { audience: OTHER_API }))).toBe('invalid_request');
  });
});
