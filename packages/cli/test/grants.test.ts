import { stat } from 'node:fs/promises';
import {
  loginEnv,
  readTokenFile,
  runCli,
  serviceEnv,
  setAccessTokenExpiry,
  startCli,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { describe, expect } from 'vitest';

it.beforeEach(({ issuer }) => issuer.proxy.reset());

describe('--grant client_credentials (services): no login', () => {
  it.override('env', ({ sandbox, issuer }) => ({
    ...serviceEnv(sandbox, issuer),
    // Straight to the token endpoint through the counting proxy (no discovery).
    GATEHOUSE_OIDC_TOKEN_ENDPOINT: `${issuer.proxy.origin}/token`,
  }));

  it('token fetches a token for the client and caches it in the token file for the next run', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const first = await runCli(['token', '--scope', 'api:read'], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(decodeJwt(first.stdout.trim())).toMatchObject({ sub: 'gatehouse-service', scope: 'api:read' });
    expect((await stat(sandbox.tokenFile())).mode & 0o777).toBe(0o600);

    const second = await runCli(['token', '--scope', 'api:read'], env);
    expect(second.stdout).toBe(first.stdout);
    expect(issuer.proxy.count('client_credentials')).toBe(1);
  });

  it('login stores a client credentials token; status describes it', async ({ env }) => {
    const login = await runCli(['login'], env);
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('Got a client credentials token for gatehouse-service');
    const status = await runCli(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stderr).toMatch(/Logged in as: +gatehouse-service/);
    expect(status.stderr).toContain('Client:         gatehouse-service (client_credentials)');
    expect(status.stderr).toContain('Refresh token:  none');
  });

  it('status of an expired client credentials token is still exit 0: the next token call fetches one', async ({
    sandbox,
    env,
  }) => {
    expect((await runCli(['token'], env)).code).toBe(0);
    const doc = await setAccessTokenExpiry(sandbox.tokenFile(), -100);
    const status = await runCli(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stderr).toMatch(/Access token: +expired .*; renewed on next use/);
    const token = await runCli(['token'], env);
    expect(token.stdout.trim()).not.toBe(doc.access_token);
  });

  it('a wrong client secret is exit 1 with invalid_client, and the secret is never printed', async ({
    env,
  }) => {
    const result = await runCli(['token'], {
      ...env,
      GATEHOUSE_OIDC_CLIENT_SECRET: 'not-the-secret-4711',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid_client');
    expect(result.stderr + result.stdout).not.toContain('not-the-secret-4711');
  });
});

describe('--grant device_code', () => {
  it('prints the code and the URL, waits for approval, then stores the login', async ({
    sandbox,
    issuer,
  }) => {
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
