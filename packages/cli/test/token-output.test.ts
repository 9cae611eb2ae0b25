import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDER_SHAPES } from '@gatehouse/dev-idp';
import {
  BIN,
  HAS_SCRIPT,
  loginEnv,
  loginHeadlessly,
  readTokenFile,
  runCli,
  runInTerminal,
  startTestIssuer,
  type TestIssuer,
  writeConfig,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startBrowserRelay } from './helpers/browser-relay.js';

const ID_TOKEN_TTL_SECS = 4;
const rfc3339 = (secs: number) => new Date(secs * 1000).toISOString().replace('.000Z', 'Z');

it.override('idpOptions', { idTokenTtlSecs: ID_TOKEN_TTL_SECS });

describe('token --output exec-credential (kubectl)', () => {
  it('prints only a client.authentication.k8s.io/v1 ExecCredential with the token and its own expiry', async ({
    sandbox,
    issuer,
    env,
  }) => {
    await loginHeadlessly(issuer, env);
    const doc = await readTokenFile(sandbox.tokenFile());
    const result = await runCli(['token', '--output', 'exec-credential'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.endsWith('}\n')).toBe(true);
    expect(JSON.parse(result.stdout)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: doc.access_token, expirationTimestamp: rfc3339(decodeJwt(doc.access_token).exp!) },
    });
  });

  it('answers in the version kubectl asks for in KUBERNETES_EXEC_INFO (v1beta1)', async ({ issuer, env }) => {
    await loginHeadlessly(issuer, env);
    const info = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      spec: { interactive: false },
    });
    const result = await runCli(['token', '--output', 'exec-credential'], {
      ...env,
      KUBERNETES_EXEC_INFO: info,
    });
    expect(JSON.parse(result.stdout).apiVersion).toBe('client.authentication.k8s.io/v1beta1');
  });

  it('not logged in and no terminal: exit 1, stdout empty', async ({ env }) => {
    const result = await runCli(['token', '--output', 'exec-credential'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('run `gatehouse login`');
  });

  it.skipIf(!HAS_SCRIPT)(
    'a first login from kubectl talks on the terminal only; stdout holds only the JSON',
    async ({ sandbox, issuer, env }) => {
      const relay = await startBrowserRelay((url) =>
        issuer.idp.loginHeadless(url, { username: 'alice', password: 'alice' }, { deliver: true }),
      );
      const dir = await mkdtemp(join(tmpdir(), 'gatehouse-kubectl-'));
      try {
        // As kubectl runs a plugin: stdin and stderr on the terminal, stdout a pipe (here a file).
        const out = join(dir, 'stdout.json');
        const { code, output } = await runInTerminal(
          `"${process.execPath}" "${BIN}" token --output exec-credential --port 0 > "${out}"`,
          { ...env, GATEHOUSE_BROWSER: relay.command },
        );
        expect(code).toBe(0);
        expect(output).toContain('Opening your browser to sign in');
        const credential = JSON.parse(await readFile(out, 'utf8'));
        expect(credential.status.token).toBe((await readTokenFile(sandbox.tokenFile())).access_token);
        expect(output).not.toContain(credential.status.token);
      } finally {
        await relay.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('--token-type id_token', () => {
  it('token prints the ID token, renewed before it expires; status says which token is sent', async ({
    sandbox,
    issuer,
    env,
  }) => {
    await loginHeadlessly(issuer, env);
    const first = await runCli(['token', '--token-type', 'id_token'], env);
    expect(first.code).toBe(0);
    const idToken = first.stdout.trim();
    expect(idToken).toBe((await readTokenFile(sandbox.tokenFile())).id_token);
    expect(decodeJwt(idToken)).toMatchObject({ sub: 'alice', aud: 'gatehouse-cli' });

    // (Each check reads what it compares against after the command: under load a command may already have
    // renewed a 4 s ID token.)
    const status = await runCli(['status', '--token-type', 'id_token'], env);
    expect(status.stderr).toContain('Token sent:     id_token');
    expect(status.stderr).toMatch(/ID token: +(valid, expires in \d+ s|expired \d+ s ago)/);
    expect((await runCli(['status'], env)).stderr).toContain('Token sent:     access_token');
    const json = JSON.parse(
      (await runCli(['status', '--json'], { ...env, GATEHOUSE_OIDC_TOKEN_TYPE: 'id_token' })).stdout,
    );
    const stored = (await readTokenFile(sandbox.tokenFile())).id_token;
    expect(json).toMatchObject({ tokenType: 'id_token', expiresAt: decodeJwt(stored).exp });

    const credential = await runCli(['token', '--output', 'exec-credential'], {
      ...env,
      GATEHOUSE_OIDC_TOKEN_TYPE: 'id_token',
    });
    const sent = JSON.parse(credential.stdout).status;
    expect(sent.token).toBe((await readTokenFile(sandbox.tokenFile())).id_token);
    expect(sent.expirationTimestamp).toBe(rfc3339(decodeJwt(sent.token).exp!));

    const latest = sent.token as string;
    await new Promise((resolve) => setTimeout(resolve, ID_TOKEN_TTL_SECS * 1000));
    await writeConfig(sandbox, { profiles: { default: { tokenType: 'id_token' } } }); // per profile as well
    const renewed = await runCli(['token'], env);
    expect(renewed.code).toBe(0);
    expect(renewed.stdout.trim()).not.toBe(latest);
    expect(renewed.stdout.trim()).not.toBe(idToken);
    expect(decodeJwt(renewed.stdout.trim()).sub).toBe('alice');
  });

  it('the client credentials grant has no ID token: exit 2', async ({ issuer, env }) => {
    const result = await runCli(['token', '--token-type', 'id_token', '--grant', 'client_credentials'], {
      ...env,
      GATEHOUSE_OIDC_CLIENT_ID: issuer.idp.clients.service.clientId,
      GATEHOUSE_OIDC_CLIENT_SECRET: issuer.idp.clients.service.clientSecret,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no ID token');
  });
});

describe('Google: an ID token is what services check', () => {
  let google: TestIssuer;
  beforeAll(async () => {
    google = await startTestIssuer({ ...PROVIDER_SHAPES.google });
  });
  afterAll(async () => {
    await google?.close();
  });

  it('login --preset google asks for offline access the Google way; --token-type id_token sends the ID token', async ({
    sandbox,
  }) => {
    const googleEnv = { ...loginEnv(sandbox, google), GATEHOUSE_OIDC_PRESET: 'google' };
    const login = await loginHeadlessly(google, googleEnv);
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('use --token-type id_token'); // its access tokens are opaque
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc.refresh_token).toBeTruthy();
    const token = await runCli(['token', '--token-type', 'id_token'], googleEnv);
    expect(decodeJwt(token.stdout.trim())).toMatchObject({
      aud: 'gatehouse-cli',
      email: 'alice@example.com',
    });
  });
});
