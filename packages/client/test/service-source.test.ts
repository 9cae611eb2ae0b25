import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyMissingError,
  createApiKeySource,
  createAuthenticatedFetch,
  InvalidOptionsError,
  serviceSourceConfigFromEnv,
  serviceTokenSourceFromEnv,
} from '../src/index.js';
import { startTestService, type TestService } from './helpers/service.js';

let issuer: TestIssuer;
let service: TestService;
beforeAll(async () => {
  issuer = await startTestIssuer();
  service = await startTestService({
    issuer: issuer.idp.issuer,
    audience: issuer.idp.audience,
    apiKeys: { 'legacy-service': 'key-abc' },
  });
});
afterAll(async () => {
  await service?.close();
  await issuer?.close();
});

describe('API key source', () => {
  it('reads the key from an environment variable', async () => {
    expect(await createApiKeySource({ env: { GATEHOUSE_API_KEY: 'k1' } }).getToken()).toBe('k1');
    expect(await createApiKeySource({ variable: 'MY_KEY', env: { MY_KEY: ' k2 ' } }).getToken()).toBe('k2');
  });

  it('a missing or empty variable is ApiKeyMissingError naming it', () => {
    expect(() => createApiKeySource({ env: {} })).toThrow(ApiKeyMissingError);
    expect(() => createApiKeySource({ variable: 'MY_KEY', env: { MY_KEY: '' } })).toThrow(
      /MY_KEY is not set/,
    );
  });
});

describe('switching a service from an API key to client credentials is a configuration change', () => {
  it('the same code calls the service with a key, then with client credentials', async () => {
    const call = async (env: Record<string, string>) => {
      const authed = createAuthenticatedFetch(serviceTokenSourceFromEnv(env));
      return (await authed(`${service.url}/v1/whoami`)).json();
    };
    expect(await call({ GATEHOUSE_API_KEY: 'key-abc' })).toMatchObject({
      authType: 'api_key',
      subject: 'legacy-service',
    });
    expect(
      await call({
        GATEHOUSE_OIDC_GRANT_TYPE: 'client_credentials',
        GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer,
        GATEHOUSE_OIDC_CLIENT_ID: issuer.idp.clients.service.clientId,
        GATEHOUSE_OIDC_CLIENT_SECRET: issuer.idp.clients.service.clientSecret,
        GATEHOUSE_API_KEY: 'key-abc',
      }),
    ).toMatchObject({ authType: 'oidc', subject: 'gatehouse-service' });
  });

  it('reads scope and audience for client credentials', () => {
    const config = serviceSourceConfigFromEnv({
      GATEHOUSE_OIDC_GRANT_TYPE: 'client_credentials',
      GATEHOUSE_OIDC_ISSUER: 'https://idp.example',
      GATEHOUSE_OIDC_CLIENT_ID: 'svc',
      GATEHOUSE_OIDC_CLIENT_SECRET: 's',
      GATEHOUSE_OIDC_SCOPE: 'api:read',
      GATEHOUSE_OIDC_AUDIENCE: 'urn:x',
    });
    expect(config).toEqual({
      type: 'client_credentials',
      issuer: 'https://idp.example',
      clientId: 'svc',
      clientSecret: 's',
      scope: 'api:read',
      audience: 'urn:x',
    });
  });

  it('names what is missing', () => {
    expect(() => serviceTokenSourceFromEnv({})).toThrow(InvalidOptionsError);
    expect(() => serviceTokenSourceFromEnv({})).toThrow(/GATEHOUSE_API_KEY/);
    expect(() => serviceTokenSourceFromEnv({ GATEHOUSE_OIDC_GRANT_TYPE: 'client_credentials' })).toThrow(
      /GATEHOUSE_OIDC_ISSUER, GATEHOUSE_OIDC_CLIENT_ID, GATEHOUSE_OIDC_CLIENT_SECRET must be set/,
    );
    expect(() => serviceTokenSourceFromEnv({ GATEHOUSE_OIDC_GRANT_TYPE: 'password' })).toThrow(
      /not a service grant/,
    );
  });

  it('the client credentials token is a real one for the configured audience', async () => {
    const source = serviceTokenSourceFromEnv({
      GATEHOUSE_OIDC_GRANT_TYPE: 'client_credentials',
      GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer,
      GATEHOUSE_OIDC_CLIENT_ID: issuer.idp.clients.service.clientId,
      GATEHOUSE_OIDC_CLIENT_SECRET: issuer.idp.clients.service.clientSecret,
      GATEHOUSE_OIDC_SCOPE: 'api:write',
    });
    expect(decodeJwt(await source.getToken())).toMatchObject({
      aud: issuer.idp.audience,
      scope: 'api:write',
    });
  });
});
