import { stat } from 'node:fs/promises';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../client/test/helpers/build.js';
import { startTestIssuer, type TestIssuer } from '../../client/test/helpers/idp.js';
import {
  createSandbox,
  loginEnv,
  readTokenFile,
  runCli,
  type Sandbox,
  setAccessTokenExpiry,
  startCli,
} from './helpers/cli.js';

let issuer: TestIssuer;
let sandbox: Sandbox;
beforeAll(async () => {
  await ensureBuilt();
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await sandbox?.cleanup();
  await issuer?.close();
});
beforeEach(async () => {
  await sandbox?.cleanup();
  sandbox = await createSandbox();
  issuer.proxy.reset();
});

describe('--grant client_credentials (services): no login', () => {
  const serviceEnv = () => ({
    ...sandbox.env,
    GATEHOUSE_OIDC_GRANT_TYPE: 'client_credentials',
    GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer,
    GATEHOUSE_OIDC_CLIENT_ID: issuer.idp.clients.service.clientId,
    GATEHOUSE_OIDC_CLIENT_SECRET: issuer.idp.clients.service.clientSecret,
    // Straight to the token endpoint through the counting proxy (no discovery).
    GATEHOUSE_OIDC_TOKEN_ENDPOINT: `${issuer.proxy.origin}/token`,
  });

  it('token fetches a token for the client and caches it in the token file for the next run', async () => {
    const first = await runCli(['token', '--scope', 'api:read'], serviceEnv());
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(decodeJwt(first.stdout.trim())).toMatchObject({ sub: 'gatehouse-service', scope: 'api:read' });
    expect((await stat(sandbox.tokenFile())).mode & 0o777).toBe(0o600);

    const second = await runCli(['token', '--scope', 'api:read'], serviceEnv());
    expect(second.stdout).toBe(first.stdout);
    expect(issuer.proxy.count('client_credentials')).toBe(1);
  });

  it('login stores a client credentials token; status describes it', async () => {
    const login = await runCli(['login'], serviceEnv());
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('Got a client credentials token for gatehouse-service');
    const status = await runCli(['status'], serviceEnv());
    expect(status.code).toBe(0);
    expect(status.stderr).toMatch(/Logged in as: +gatehouse-service/);
    expect(status.stderr).toContain('Client:         gatehouse-service (client_credentials)');
    expect(status.stderr).toContain('Refresh token:  none');
  });

  it('status of an expired client credentials token is still exit 0: the next token call fetches one', async () => {
    expect((await runCli(['token'], serviceEnv())).code).toBe(0);
    const doc = await setAccessTokenExpiry(sandbox.tokenFile(), -100);
    const status = await runCli(['status'], serviceEnv());
    expect(status.code).toBe(0);
    expect(status.stderr).toMatch(/Access token: +expired .*; renewed on next use/);
    const token = await runCli(['token'], serviceEnv());
    expect(token.stdout.trim()).not.toBe(doc.access_token);
  });

  it('a wrong client secret is exit 1 with invalid_client, and the secret is never printed', async () => {
    const result = await runCli(['token'], {
      ...serviceEnv(),
      GATEHOUSE_OIDC_CLIENT_SECRET: 'not-the-secret-4711',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid_client');
    expect(result.stderr + result.stdout).not.toContain('not-the-secret-4711');
  });
});

describe('--grant device_code', () => {
  it('prints the code and the URL, waits for approval, then stores the login', async () => {
    const env = loginEnv(sandbox, issuer, issuer.idp.clients.device.clientId);
    const cli = startCli(['login', '--grant', 'device_code'], env);
    const [, uri, code] = await cli.waitForStderr(/To sign in, open (\S+) and enter the code: (\S+)/);
    expect(uri).toBe(`${issuer.idp.issuer}/device`);
    await issuer.idp.approveDevice(code!, { username: 'bob', password: 'bob' });
    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Logged in as bob');
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc.grant_type).toBe('device_code');

    const token = await runCli(['token', '--grant', 'device_code'], env);
    expect(token.code).toBe(0);
    expect(token.stdout.trim()).toBe(doc.access_token);
  });
});
