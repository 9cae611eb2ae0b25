import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  loginEnv,
  loginHeadlessly,
  readTokenFile,
  runCli,
  type Sandbox,
  setAccessTokenExpiry,
  writeConfig,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  HAS_SECRET_SERVICE,
  type SecretService,
  startSecretService,
} from '../../client/test/helpers/secret-service.js';

const SECRET_FIELDS = ['access_token', 'id_token', 'refresh_token', 'refresh_token_encrypted'];

if (!HAS_SECRET_SERVICE) {
  console.warn('keychain.test.ts: the Secret Service tests are skipped (apt-get install dbus gnome-keyring)');
}

describe.skipIf(!HAS_SECRET_SERVICE)(
  '--token-storage keychain with a real Secret Service (GNOME Keyring)',
  () => {
    let secretService: SecretService;
    beforeAll(async () => {
      secretService = await startSecretService();
    });
    afterAll(async () => {
      await secretService?.close();
    });
    it.override('env', ({ sandbox, issuer }) => ({
      ...loginEnv(sandbox, issuer),
      DBUS_SESSION_BUS_ADDRESS: secretService.env.DBUS_SESSION_BUS_ADDRESS!,
    }));
    const entries = (sandbox: Sandbox) =>
      secretService.items('gatehouse').filter((item) => item.includes(sandbox.tokenFile()));

    it('keeps the tokens in the keychain and the other fields in the file; refresh, status, logout', async ({
      sandbox,
      issuer,
      env,
    }) => {
      const login = await loginHeadlessly(issuer, env, ['--token-storage', 'keychain']);
      expect(login.code).toBe(0);
      expect(login.stderr).not.toContain('warning');
      const doc = await readTokenFile(sandbox.tokenFile());
      for (const field of SECRET_FIELDS) expect(doc[field]).toBeUndefined();
      expect(doc).toMatchObject({
        issuer: issuer.idp.issuer,
        client_id: 'gatehouse-cli',
        keychain: { service: 'gatehouse' },
      });
      expect(entries(sandbox)).toHaveLength(1);

      const token = await runCli(['token', '--token-storage', 'keychain'], env);
      expect(token.code).toBe(0);
      expect(token.stderr).toBe('');
      expect(decodeJwt(token.stdout.trim()).sub).toBe('alice');
      expect(await readFile(sandbox.tokenFile(), 'utf8')).not.toContain(token.stdout.trim());
      // `--token-storage file` reads them too: the file says where they are.
      expect((await runCli(['token'], env)).stdout).toBe(token.stdout);

      const status = await runCli(['status', '--token-storage', 'keychain'], env);
      expect(status.stderr).toContain('Token storage:  keychain (Secret Service)');
      expect(status.stderr).toContain('Refresh token:  present');
      expect(status.stderr + status.stdout).not.toContain(token.stdout.trim());

      // A refresh writes the renewed tokens to a new keychain entry and deletes the old one.
      await setAccessTokenExpiry(sandbox.tokenFile(), 5);
      const renewed = await runCli(['token', '--token-storage', 'keychain'], env);
      expect(renewed.code).toBe(0);
      expect(renewed.stdout).not.toBe(token.stdout);
      const after = await readTokenFile(sandbox.tokenFile());
      expect(after.keychain.generation).not.toBe(doc.keychain.generation);
      expect(entries(sandbox)).toEqual([
        `attribute.username = ${sandbox.tokenFile()}#${after.keychain.generation}.0`,
      ]);

      const logout = await runCli(['logout', '--token-storage', 'keychain'], env);
      expect(logout.code).toBe(0);
      expect(logout.stderr).toContain('the refresh token was revoked');
      expect(existsSync(sandbox.tokenFile())).toBe(false);
      expect(entries(sandbox)).toEqual([]);
    });

    it('"tokenStorage": "keychain" per profile, or GATEHOUSE_TOKEN_STORAGE', async ({
      sandbox,
      issuer,
      env,
    }) => {
      await writeConfig(sandbox, { profiles: { default: { tokenStorage: 'keychain' } } });
      await loginHeadlessly(issuer, env);
      expect((await readTokenFile(sandbox.tokenFile())).keychain).toBeDefined();
      await writeConfig(sandbox, { profiles: {} });
      await loginHeadlessly(issuer, { ...env, GATEHOUSE_TOKEN_STORAGE: 'keychain' });
      expect((await readTokenFile(sandbox.tokenFile())).keychain).toBeDefined();
      expect(entries(sandbox)).toHaveLength(1); // the second login replaced the first one's entry
      await runCli(['logout'], env);
    });
  },
);

describe('--token-storage keychain when no keychain can be reached', () => {
  it('each command says so on one stderr line, naming the keychain and the file, and uses the file', async ({
    sandbox,
    issuer,
  }) => {
    // No D-Bus session bus: no Secret Service.
    const env = {
      ...loginEnv(sandbox, issuer),
      GATEHOUSE_TOKEN_STORAGE: 'keychain',
      XDG_RUNTIME_DIR: sandbox.home,
    };
    const login = await loginHeadlessly(issuer, env);
    expect(login.code).toBe(0);
    const line = `the Secret Service keychain is not reachable`;
    const warnings = login.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(line);
    expect(warnings[0]).toContain(`tokens are kept in the file ${sandbox.tokenFile()} instead`);
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc.access_token).toBeTruthy();
    expect(doc.keychain).toBeUndefined();

    const token = await runCli(['token'], env);
    expect(token.code).toBe(0);
    expect(token.stdout).toBe(`${doc.access_token}\n`);
    expect(token.stderr.split('\n').filter((l) => l.includes(line))).toHaveLength(1);
    const fromFile = await runCli(['token', '--token-storage', 'file'], env);
    expect(fromFile.stdout).toBe(token.stdout);
    expect(fromFile.stderr).toBe('');
    const status = await runCli(['status'], env);
    expect(status.stderr.split('\n').filter((l) => l.includes(line))).toHaveLength(1);
    expect(status.stderr).toContain('Token storage:  file');
  });
});
