import {
  AUTHORIZATION_URL,
  readTokenFile,
  runCli,
  type Sandbox,
  setAccessTokenExpiry,
  startCli,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { describe, expect } from 'vitest';

// One login, then what can and cannot be done with its encrypted refresh token, in order.
it.override('sandbox', ({ fileSandbox }) => fileSandbox);

const readDoc = (sandbox: Sandbox) => readTokenFile(sandbox.tokenFile());
const expireAccessToken = (sandbox: Sandbox) => setAccessTokenExpiry(sandbox.tokenFile(), -1);

describe('refresh token encrypted at rest (GATEHOUSE_TOKEN_PASSPHRASE)', () => {
  it('login --encrypt with no passphrase and no terminal fails (exit 2) before any browser opens', async ({
    env,
  }) => {
    const result = await runCli(['login', '--no-browser', '--port', '0', '--encrypt'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no passphrase was given');
    expect(result.stderr).not.toContain('/auth?');
  });

  it('login --encrypt keeps the refresh token out of the file in clear', async ({ sandbox, issuer, env }) => {
    const cli = startCli(['login', '--no-browser', '--port', '0', '--encrypt'], {
      ...env,
      GATEHOUSE_TOKEN_PASSPHRASE: 'open sesame',
    });
    const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
    await issuer.idp.loginHeadless(url!, { username: 'alice', password: 'alice' }, { deliver: true });
    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('refresh token encrypted');
    const doc = await readDoc(sandbox);
    expect(doc.refresh_token).toBeUndefined();
    expect(doc.refresh_token_encrypted).toMatchObject({ alg: 'A256GCM', kdf: 'PBKDF2-SHA256' });
    const status = await runCli(['status'], env);
    expect(status.stderr).toContain('Refresh token:  present (encrypted)');
  });

  it('refreshing with the passphrase works and stores the rotated token encrypted', async ({
    sandbox,
    env,
  }) => {
    await expireAccessToken(sandbox);
    const before = await readDoc(sandbox);
    const result = await runCli(['token'], { ...env, GATEHOUSE_TOKEN_PASSPHRASE: 'open sesame' });
    expect(result.code).toBe(0);
    const after = await readDoc(sandbox);
    expect(result.stdout.trim()).toBe(after.access_token);
    expect(after.refresh_token).toBeUndefined();
    expect(after.refresh_token_encrypted.ciphertext).not.toBe(before.refresh_token_encrypted.ciphertext);
  });

  it('without the passphrase (no terminal to ask on): exit 2 saying the refresh token is encrypted', async ({
    sandbox,
    env,
  }) => {
    await expireAccessToken(sandbox);
    const result = await runCli(['token'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is encrypted and no passphrase was given');
  });

  it('with a wrong passphrase: exit 2, and the passphrase is not echoed', async ({ env }) => {
    const result = await runCli(['token'], { ...env, GATEHOUSE_TOKEN_PASSPHRASE: 'wrong-guess-99' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The passphrase does not decrypt the refresh token');
    expect(result.stderr).not.toContain('wrong-guess-99');
  });

  it('status and logout still work without the passphrase (logout says it could not revoke)', async ({
    env,
  }) => {
    const status = await runCli(['status'], env);
    expect(status.code).toBe(0);
    const logout = await runCli(['logout'], env);
    expect(logout.code).toBe(0);
    expect(logout.stderr).toContain('the refresh token could not be revoked');
    expect(logout.stderr).toContain('is encrypted and no passphrase was given');
    expect(logout.stderr).toContain('the refresh token was NOT revoked; deleted');
    expect((await runCli(['status'], env)).code).toBe(1);
  });
});
