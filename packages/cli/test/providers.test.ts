import { type DevIdpOptions, PROVIDER_SHAPES } from '@gatehouse/dev-idp';
import { loginEnv, loginHeadlessly, runCli, startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startTestService, type TestService } from '../../client/test/helpers/service.js';

const API = 'https://api.example.com';

// Each case: the dev IdP shaped like the provider, and the CLI settings that provider needs. The token must
// reach a service that checks the issuer (with its path) and the API audience.
const CASES: [string, DevIdpOptions, Record<string, string>][] = [
  ['entra', PROVIDER_SHAPES.entra, { GATEHOUSE_OIDC_PRESET: 'entra', GATEHOUSE_OIDC_AUDIENCE: API }],
  ['auth0', PROVIDER_SHAPES.auth0, { GATEHOUSE_OIDC_PRESET: 'auth0', GATEHOUSE_OIDC_AUDIENCE: API }],
  ['okta', PROVIDER_SHAPES.okta, { GATEHOUSE_OIDC_PRESET: 'okta', GATEHOUSE_OIDC_AUDIENCE: API }],
  ['keycloak', PROVIDER_SHAPES.keycloak, { GATEHOUSE_OIDC_AUDIENCE: API }],
];

describe.each(CASES)('logging in to a provider shaped like %s', (name, shape, settings) => {
  // A provider of each shape: the file's own IdP fixture has one shape only.
  let issuer: TestIssuer;
  let service: TestService;
  beforeAll(async () => {
    issuer = await startTestIssuer({ ...shape, extraAudiences: [API] });
    service = await startTestService({
      issuer: issuer.idp.issuer,
      audience: API,
      jwksUri: issuer.idp.jwksUri,
    });
  });
  afterAll(async () => {
    await service?.close();
    await issuer?.close();
  });

  it(`login, token and whoami work with ${name}'s settings`, async ({ sandbox }) => {
    const env = { ...loginEnv(sandbox, issuer), ...settings };
    const login = await loginHeadlessly(issuer, env);
    expect(login.code).toBe(0);
    expect(login.stderr).not.toContain('warning');
    const token = await runCli(['token'], env);
    expect(decodeJwt(token.stdout.trim())).toMatchObject({ iss: issuer.idp.issuer, aud: API, sub: 'alice' });
    const whoami = await runCli(['whoami', '--url', service.url], env);
    expect(whoami.code).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ subject: 'alice', issuer: issuer.idp.issuer });
  });
});
