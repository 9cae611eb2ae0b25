import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createOidcClient, refreshAccessToken, TokenRequestError } from '@gatehouse/client';
import {
  AUTHORIZATION_URL,
  readTokenFile,
  runCli,
  type Sandbox,
  setAccessTokenExpiry,
  startCli,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect } from 'vitest';
import { startTestService, type TestService } from '../../client/test/helpers/service.js';

// One user's day with the CLI, in order: login, reuse, status, whoami, exec, refresh, logout. Every test
// continues in the same sandbox.
it.override('sandbox', ({ fileSandbox }) => fileSandbox);
let service: TestService;
it.beforeAll(async ({ issuer }) => {
  service = await startTestService({ issuer: issuer.idp.issuer, audience: issuer.idp.audience });
});
afterAll(async () => {
  await service?.close();
});

const readTokens = (sandbox: Sandbox) => readTokenFile(sandbox.tokenFile());
const allTokens = (doc: Record<string, unknown>) =>
  [doc.access_token, doc.refresh_token, doc.id_token].filter((t): t is string => typeof t === 'string');

describe('the gatehouse CLI, end to end against the dev IdP', () => {
  it('login --no-browser prints the URL on its own line, waits on the loopback port, and stores the tokens', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const cli = startCli(['login', '--no-browser', '--port', '0'], env);
    const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
    await cli.waitForStderr(/Waiting for the login callback/);
    await issuer.idp.loginHeadless(url!, { username: 'alice', password: 'alice' }, { deliver: true });
    const result = await cli.done;
    expect(result.stderr).toContain('Open this URL in a browser to sign in:');
    expect(result.stderr).toMatch(/Waiting for the login callback on http:\/\/127\.0\.0\.1:\d+\/callback/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Logged in as alice (Alice Admin <alice@example.com>)');
    expect(result.stderr).toContain(`Tokens saved to ${sandbox.tokenFile()}`);

    expect((await stat(sandbox.tokenFile())).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(sandbox.tokenFile()))).mode & 0o777).toBe(0o700);
    const doc = await readTokens(sandbox);
    expect(doc).toMatchObject({
      issuer: issuer.idp.issuer,
      client_id: 'gatehouse-cli',
      grant_type: 'authorization_code',
    });
    expect(decodeJwt(doc.access_token).sub).toBe('alice');
    for (const token of allTokens(doc)) expect(result.stderr).not.toContain(token);
  });

  it('token: a second run uses the stored login, no browser, and prints only the token', async ({
    sandbox,
    env,
  }) => {
    const doc = await readTokens(sandbox);
    const result = await runCli(['token'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${doc.access_token}\n`);
    expect(result.stderr).toBe('');
  });

  it('status shows identity, issuer, expiry and refresh token presence, and never a token', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const doc = await readTokens(sandbox);
    const human = await runCli(['status'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/Logged in as: +alice \(Alice Admin <alice@example\.com>\)/);
    expect(human.stderr).toContain(`Issuer:         ${issuer.idp.issuer}`);
    expect(human.stderr).toMatch(/Access token: +valid, expires in \d+ min \(\d{4}-\d\d-\d\dT/);
    expect(human.stderr).toContain('Refresh token:  present');
    const json = await runCli(['status', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      loggedIn: true,
      subject: 'alice',
      email: 'alice@example.com',
      issuer: issuer.idp.issuer,
      refreshToken: 'present',
      accessTokenValid: true,
    });
    for (const token of allTokens(doc)) {
      expect(human.stderr + human.stdout + json.stdout + json.stderr).not.toContain(token);
    }
  });

  it("whoami --url calls the service's /v1/whoami with the token", async ({ env }) => {
    const result = await runCli(['whoami', '--url', service.url], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      subject: 'alice',
      authType: 'oidc',
      email: 'alice@example.com',
    });
    expect(service.hits.at(-1)?.path).toBe('/v1/whoami');
  });

  it('whoami: a 401 leads to one refresh and one retry', async ({ sandbox, issuer, env }) => {
    const before = await readTokens(sandbox);
    service.rejectNext(1);
    issuer.proxy.reset();
    const hits = service.hits.length;
    const result = await runCli(['whoami', '--url', `${service.url}/`], env);
    expect(result.code).toBe(0);
    expect(service.hits.slice(hits).map((h) => h.status)).toEqual([401, 200]);
    const after = await readTokens(sandbox);
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
  });

  it('whoami: a service that keeps answering 401 is exit 1 with its error', async ({ env }) => {
    service.rejectNext(2);
    const result = await runCli(['whoami', '--url', service.url], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/answered 401: invalid_token: rejected/);
  });

  it('exec runs the command with the token in its environment and passes its exit code through', async ({
    sandbox,
    env,
  }) => {
    const doc = await readTokens(sandbox);
    const script = 'process.stdout.write(process.env.GATEHOUSE_ACCESS_TOKEN); process.exit(7)';
    const result = await runCli(['exec', '--', process.execPath, '-e', script], env);
    expect(result.code).toBe(7);
    expect(result.stdout).toBe(doc.access_token);
    const named = await runCli(
      [
        'exec',
        '--env-var',
        'API_TOKEN',
        '--',
        process.execPath,
        '-e',
        'process.exit(process.env.API_TOKEN ? 0 : 3)',
      ],
      env,
    );
    expect(named.code).toBe(0);
  });

  it('exec: a command that cannot be found is exit 127', async ({ env }) => {
    const result = await runCli(['exec', '--', 'definitely-not-a-command-gatehouse'], env);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('command not found');
  });

  it('exec: a command killed by a signal is 128 + the signal number', async ({ env }) => {
    const result = await runCli(
      ['exec', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"],
      env,
    );
    expect(result.code).toBe(143);
  });

  it('token refreshes an expiring access token and saves the rotated refresh token', async ({
    sandbox,
    env,
  }) => {
    const doc = await setAccessTokenExpiry(sandbox.tokenFile(), 10);
    const result = await runCli(['token'], env);
    expect(result.code).toBe(0);
    const after = await readTokens(sandbox);
    expect(result.stdout).toBe(`${after.access_token}\n`);
    expect(after.access_token).not.toBe(doc.access_token);
    expect(after.refresh_token).not.toBe(doc.refresh_token);
  });

  it('logout revokes the refresh token at the provider and deletes the file', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const doc = await readTokens(sandbox);
    const result = await runCli(['logout'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `Logged out of ${issuer.idp.issuer}: the refresh token was revoked; deleted ${sandbox.tokenFile()}`,
    );
    await expect(stat(sandbox.tokenFile())).rejects.toMatchObject({ code: 'ENOENT' });
    const client = createOidcClient({ issuer: issuer.idp.issuer, clientId: 'gatehouse-cli' });
    const err = await refreshAccessToken(client, doc.refresh_token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({ oauthError: 'invalid_grant' });
  });

  it('after logout: status exits 1, token (non-interactive) exits 1 telling the user to run `gatehouse login`', async ({
    env,
  }) => {
    const status = await runCli(['status'], env);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(
      /Not logged in \(profile "default", no tokens at .*\)\. Run `gatehouse login`\./,
    );
    const token = await runCli(['token'], env);
    expect(token.code).toBe(1);
    expect(token.stdout).toBe('');
    expect(token.stderr).toContain('Not logged in (no stored login). To sign in, run `gatehouse login`.');
    const again = await runCli(['logout'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Not logged in');
  });
});
