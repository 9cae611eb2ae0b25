import { stat } from 'node:fs/promises';
import {
  BIN,
  HAS_SCRIPT,
  loginEnv,
  readTokenFile,
  runCli,
  runInTerminal,
  setAccessTokenExpiry,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { describe, expect } from 'vitest';

// The dev IdP with the password grant enabled for this test only (legacy-provider support).
it.override('idpOptions', { passwordGrant: true });
it.override('env', ({ sandbox, issuer }) => ({
  ...loginEnv(sandbox, issuer),
  GATEHOUSE_OIDC_GRANT_TYPE: 'password',
  GATEHOUSE_OIDC_USERNAME: 'alice',
  // Through the counting proxy, so the test sees each token request where it arrives.
  GATEHOUSE_OIDC_TOKEN_ENDPOINT: `${issuer.proxy.origin}/token`,
}));
it.beforeEach(({ issuer }) => issuer.proxy.reset());

const WARNING = /^warning: the password grant is deprecated \(OAuth 2\.0 Security BCP/m;

describe('login --grant password', () => {
  it('logs in with GATEHOUSE_OIDC_PASSWORD, warns once, stores the tokens; token then uses them', async ({
    sandbox,
    env,
  }) => {
    const login = await runCli(['login'], { ...env, GATEHOUSE_OIDC_PASSWORD: 'alice' });
    expect(login.code).toBe(0);
    expect(login.stdout).toBe('');
    expect(login.stderr.match(new RegExp(WARNING.source, 'gm'))).toHaveLength(1);
    expect(login.stderr).toContain('Logged in as alice');
    expect(login.stderr).not.toMatch(/\balice\b.*\balice\b.*password/); // the password is never echoed
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc).toMatchObject({ grant_type: 'password', client_id: 'gatehouse-cli' });
    expect((await stat(sandbox.tokenFile())).mode & 0o777).toBe(0o600);

    const token = await runCli(['token'], env);
    expect(token.code).toBe(0);
    expect(token.stdout).toBe(`${doc.access_token}\n`);
    expect(token.stderr).toBe(''); // the warning is for login only
  });

  it('token refreshes a password login like any other', async ({ sandbox, issuer, env }) => {
    expect((await runCli(['login'], { ...env, GATEHOUSE_OIDC_PASSWORD: 'alice' })).code).toBe(0);
    const before = await setAccessTokenExpiry(sandbox.tokenFile(), 5);
    const token = await runCli(['token'], env);
    expect(token.code).toBe(0);
    const after = await readTokenFile(sandbox.tokenFile());
    expect(token.stdout.trim()).toBe(after.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(issuer.proxy.count('refresh_token')).toBe(1);
  });

  it('--username on the command line; a confidential client authenticates with its secret', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const result = await runCli(['login', '--username', 'bob', '--client-id', 'gatehouse-web'], {
      ...env,
      GATEHOUSE_OIDC_USERNAME: '',
      GATEHOUSE_OIDC_CLIENT_SECRET: issuer.idp.clients.web.clientSecret,
      GATEHOUSE_OIDC_PASSWORD: 'bob',
    });
    expect(result.code).toBe(0);
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(decodeJwt(doc.access_token)).toMatchObject({ sub: 'bob', client_id: 'gatehouse-web' });
    expect(result.stderr).not.toContain(issuer.idp.clients.web.clientSecret);
  });

  it('no GATEHOUSE_OIDC_PASSWORD and no terminal: exit 2 naming it, and stdin is not read', async ({
    issuer,
    env,
  }) => {
    const result = await runCli(['login'], env, undefined, { input: 'alice\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GATEHOUSE_OIDC_PASSWORD');
    expect(issuer.proxy.count('password')).toBe(0);
    const noUser = await runCli(['login'], {
      ...env,
      GATEHOUSE_OIDC_USERNAME: '',
      GATEHOUSE_OIDC_PASSWORD: 'x',
    });
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain('GATEHOUSE_OIDC_USERNAME');
  });

  it('a wrong password is exit 1 with invalid_grant, and the password is never printed', async ({ env }) => {
    const result = await runCli(['login'], { ...env, GATEHOUSE_OIDC_PASSWORD: 'not-her-password-99' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid_grant');
    expect(result.stderr + result.stdout).not.toContain('not-her-password-99');
  });

  it.for([['token'], ['exec', '--', 'true'], ['whoami', '--url', 'http://127.0.0.1:9']])(
    'nothing stored: %s exits 1 saying to run `gatehouse login`, even with GATEHOUSE_OIDC_PASSWORD set',
    async (args, { issuer, env }) => {
      const result = await runCli(args, { ...env, GATEHOUSE_OIDC_PASSWORD: 'alice' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('run `gatehouse login`');
      expect(issuer.proxy.count('password')).toBe(0);
    },
  );

  it('there is no --password flag', async ({ env }) => {
    const result = await runCli(['login', '--password', 'alice'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--password'");
  });
});

describe.skipIf(!HAS_SCRIPT)('login --grant password in a terminal', () => {
  it('asks for the password without echoing it', async ({ env }) => {
    const { code, output } = await runInTerminal(`"${process.execPath}" "${BIN}" login`, env, [
      { prompt: 'Password for alice:', answer: 'alice' },
    ]);
    expect(code).toBe(0);
    expect(output).toContain('Logged in as alice');
    expect(output.split('Password for alice:')[1]).not.toMatch(/^\s*alice/);
  });

  it('asks for the user name too when none is configured (echoed), then the password (not echoed)', async ({
    env,
  }) => {
    const { code, output } = await runInTerminal(
      `"${process.execPath}" "${BIN}" login`,
      { ...env, GATEHOUSE_OIDC_USERNAME: '' },
      [
        { prompt: 'Username:', answer: 'bob' },
        { prompt: 'Password for bob:', answer: 'bob' },
      ],
    );
    expect(code).toBe(0);
    expect(output).toMatch(/Username: bob/);
    expect(output).toContain('Logged in as bob');
    expect(output.split('Password for bob:')[1]).not.toMatch(/^\s*bob/);
  });
});
