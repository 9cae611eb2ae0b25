import { existsSync, statSync } from 'node:fs';
import {
  loginEnv,
  loginHeadlessly,
  readTokenFile,
  runCli,
  serviceEnv,
  setAccessTokenExpiry,
  writeConfig,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  createClientCredentialsSource,
  createFileTokenStore,
  createOidcClient,
  DPOP_KEY_SECRET,
  dpopKeyPath,
  loadDpopKey,
} from '../../client/src/index.js';
import { type DpopApi, startDpopApi } from '../../client/test/helpers/dpop-api.js';
import {
  HAS_SECRET_SERVICE,
  type SecretService,
  startSecretService,
} from '../../client/test/helpers/secret-service.js';

// `--dpop` on login, token, exec and whoami, against an API that requires DPoP-bound tokens from the
// dev IdP (through the Gatehouse pipeline). The key lives with the tokens in the token store.
let api: DpopApi;
it.beforeAll(async ({ issuer }) => {
  api = await startDpopApi(issuer.idp, { required: true, nonces: false });
});
afterAll(async () => {
  await api?.close();
});
// A service (client credentials) by default.
it.override('env', ({ sandbox, issuer }) => ({
  ...serviceEnv(sandbox, issuer),
  GATEHOUSE_OIDC_SCOPE: 'api:read',
}));

const jkt = (token: string) => (decodeJwt(token).cnf as { jkt?: string } | undefined)?.jkt;
const bearerCall = (token: string) =>
  fetch(`${api.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });

describe('--dpop', () => {
  it('login keeps the key with the tokens (0600 file); the login stays bound without the flag; logout deletes it', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const login = await runCli(['login', '--dpop'], env);
    expect(login.code, login.stderr).toBe(0);
    const [, thumbprint] = login.stderr.match(/It is DPoP-bound to the key ([\w-]{43})/) ?? [];
    expect(thumbprint).toBeDefined();
    expect(statSync(sandbox.tokenFile()).mode & 0o777).toBe(0o600);
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc.token_type.toLowerCase()).toBe('dpop');
    expect(Object.keys(doc.secrets)).toEqual([DPOP_KEY_SECRET]);
    expect(jkt(doc.access_token)).toBe(thumbprint);
    expect(existsSync(dpopKeyPath(sandbox.tokenFile()))).toBe(false);

    const who = await runCli(['whoami', '--dpop', '--url', api.url], env);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toEqual({ subject: issuer.idp.clients.service.clientId });
    // Without the flag the stored login is still DPoP-bound: whoami sends proofs, token prints the same token.
    const again = await runCli(['whoami', '--url', api.url], env);
    expect(again.code, again.stderr).toBe(0);
    const token = await runCli(['token'], env);
    expect(token.stdout.trim()).toBe(doc.access_token);
    // That token without a proof is refused.
    expect((await bearerCall(doc.access_token)).status).toBe(401);
    const status = await runCli(['status'], env);
    expect(status.stderr).toContain('DPoP:           bound to a key kept with the tokens');
    expect(JSON.parse((await runCli(['status', '--json'], env)).stdout).dpop).toBe(true);

    const logout = await runCli(['logout'], env);
    expect(logout.code, logout.stderr).toBe(0);
    expect(existsSync(sandbox.tokenFile())).toBe(false);
  });

  it('token prints the token and a proof for one request, which works once', async ({ env }) => {
    const url = `${api.url}/v1/whoami`;
    const out = await runCli(['token', '--dpop', '--proof-url', url], env);
    expect(out.code, out.stderr).toBe(0);
    const [token, proof] = out.stdout.trim().split('\n');
    const call = () => fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof! } });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(401);
    const post = await runCli(['token', '--dpop', '--proof-url', url, '--proof-method', 'post'], env);
    expect(decodeJwt(post.stdout.trim().split('\n')[1]!).htm).toBe('POST');

    const misuse = await runCli(['token', '--proof-url', url], env);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toContain('--proof-url needs --dpop');
    const kubectl = await runCli(['token', '--dpop', '--proof-url', url, '--output', 'exec-credential'], env);
    expect(kubectl.code).toBe(2);
    expect(kubectl.stderr).toContain('cannot go with --output exec-credential');
    const relative = await runCli(['token', '--dpop', '--proof-url', '/v1/whoami'], env);
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain('must be an absolute http(s) URL');
  });

  it('exec hands the token and one proof to the command, never the key', async ({ env }) => {
    const url = `${api.url}/v1/whoami`;
    const script = [
      `const r = await fetch(${JSON.stringify(url)}, { headers: { authorization: 'DPoP ' + process.env.GATEHOUSE_ACCESS_TOKEN, dpop: process.env.GATEHOUSE_DPOP_PROOF } });`,
      "const keys = Object.keys(process.env).filter((k) => /KEY/.test(k) && k !== 'GATEHOUSE_OIDC_CLIENT_ID');",
      'const leaked = Object.values(process.env).some((v) => v.includes(\'"d"\'));',
      'process.exit(r.status === 200 && keys.length === 0 && !leaked ? 0 : 3);',
    ].join(' ');
    const run = await runCli(
      ['exec', '--dpop', '--proof-url', url, '--', process.execPath, '--input-type=module', '-e', script],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const fresh = await runCli(['exec', '--dpop', '--keep-fresh', '--proof-url', url, '--', 'true'], env);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toContain('cannot go with --keep-fresh');
  });

  it('--dpop replaces a stored bearer token rather than sending it with proofs', async ({ sandbox, env }) => {
    expect((await runCli(['login'], env)).code).toBe(0);
    const bearer = (await readTokenFile(sandbox.tokenFile())).access_token;
    expect(jkt(bearer)).toBeUndefined();
    const who = await runCli(['whoami', '--dpop', '--url', api.url], env);
    expect(who.code, who.stderr).toBe(0);
    expect(who.stderr).toContain('not bound to the DPoP key in use');
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc.access_token).not.toBe(bearer);
    expect(jkt(doc.access_token)).toBeDefined();
    // And `login` without --dpop makes a bearer login again.
    expect((await runCli(['login'], env)).code).toBe(0);
    expect((await readTokenFile(sandbox.tokenFile())).secrets).toBeUndefined();
    expect((await runCli(['status'], env)).stderr).not.toContain('DPoP:');
  });

  it('a person logs in with --dpop, encrypted: the refresh is signed with the stored key without the flag', async ({
    sandbox,
    issuer,
  }) => {
    const env = { ...loginEnv(sandbox, issuer), GATEHOUSE_TOKEN_PASSPHRASE: 'correct horse' };
    const login = await loginHeadlessly(issuer, env, ['--dpop']);
    expect(login.code, login.stderr).toBe(0);
    const [, thumbprint] = login.stderr.match(/The tokens are DPoP-bound to the key ([\w-]{43})/) ?? [];
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc.secrets).toBeUndefined();
    expect(Object.keys(doc.secrets_encrypted)).toEqual([DPOP_KEY_SECRET]);
    expect(JSON.stringify(doc)).not.toMatch(/"d"/);
    expect(jkt(doc.access_token)).toBe(thumbprint);

    // The access token is about to expire: `token` refreshes with a proof signed by the stored key (the
    // dev IdP binds a public client's refresh token to the key, so a refresh without it would be refused).
    await setAccessTokenExpiry(sandbox.tokenFile(), 5);
    const token = await runCli(['token'], env);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).not.toBe(doc.access_token);
    expect(jkt(token.stdout.trim())).toBe(thumbprint);
    const who = await runCli(['whoami', '--url', api.url], env);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toEqual({ subject: 'alice' });
    // Without the passphrase the key cannot be read, as the refresh token cannot.
    const locked = await runCli(['whoami', '--url', api.url], loginEnv(sandbox, issuer));
    expect(locked.code).toBe(2);
  });

  it('a key file left beside the token file by an earlier version is moved into the token store', async ({
    sandbox,
    issuer,
    env,
  }) => {
    // What the earlier CLI left after `login --dpop`: `default.dpop.json`, and tokens bound to it.
    const path = sandbox.tokenFile();
    const settings = { issuer: issuer.idp.issuer, clientId: issuer.idp.clients.service.clientId };
    const key = await loadDpopKey({ tokenFile: path, ...settings });
    const client = createOidcClient({
      ...settings,
      clientSecret: issuer.idp.clients.service.clientSecret,
      scope: 'api:read',
      dpop: key,
    });
    const token = await createClientCredentialsSource(client, {
      store: createFileTokenStore({ path, ...settings }),
    }).getToken();
    expect(existsSync(dpopKeyPath(path))).toBe(true);

    const who = await runCli(['whoami', '--url', api.url], env);
    expect(who.code, who.stderr).toBe(0);
    expect(existsSync(dpopKeyPath(path))).toBe(false);
    const doc = await readTokenFile(path);
    expect(doc.access_token).toBe(token); // the same token, now with its key
    expect(Object.keys(doc.secrets)).toEqual([DPOP_KEY_SECRET]);
    expect(jkt(doc.access_token)).toBe(key.thumbprint);
  });

  it('"dpop": true in the profile; --dpop cannot go with an ID token or an exchange step', async ({
    sandbox,
    issuer,
    env,
  }) => {
    await writeConfig(sandbox, {
      profiles: {
        default: { dpop: true },
        google: { tokenType: 'id_token', dpop: true },
        cluster: { exchange: { issuer: issuer.idp.issuer, clientId: 'x' } },
      },
    });
    const login = await runCli(['login'], env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain('DPoP-bound to the key');
    const google = await runCli(['token', '--profile', 'google'], env);
    expect(google.code).toBe(2);
    expect(google.stderr).toContain('cannot go with --token-type id_token');
    const cluster = await runCli(['token', '--profile', 'cluster', '--dpop'], env);
    expect(cluster.code).toBe(2);
    expect(cluster.stderr).toContain('DPoP-bound exchanged tokens are not supported');
    await writeConfig(sandbox, { profiles: { bad: { dpop: 'yes' } } });
    const bad = await runCli(['token', '--profile', 'bad'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"profiles.bad.dpop" must be true or false');
  });
});

describe.skipIf(!HAS_SECRET_SERVICE)('--dpop with --token-storage keychain', () => {
  let secretService: SecretService;
  beforeAll(async () => {
    secretService = await startSecretService();
  });
  afterAll(async () => {
    await secretService?.close();
  });

  it('keeps the key in the keychain with the tokens, never in the file', async ({
    sandbox,
    env: service,
  }) => {
    const env = {
      ...service,
      GATEHOUSE_TOKEN_STORAGE: 'keychain',
      DBUS_SESSION_BUS_ADDRESS: secretService.env.DBUS_SESSION_BUS_ADDRESS!,
    };
    const login = await runCli(['login', '--dpop'], env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).not.toContain('warning');
    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc.keychain).toBeDefined();
    expect(doc.secrets).toBeUndefined();
    expect(doc.access_token).toBeUndefined();
    const who = await runCli(['whoami', '--url', api.url], env);
    expect(who.code, who.stderr).toBe(0);
    expect(who.stderr).toBe('');
    expect((await runCli(['status'], env)).stderr).toContain('DPoP:           bound');
    expect((await runCli(['logout'], env)).code).toBe(0);
    expect(secretService.items('gatehouse').filter((i) => i.includes(sandbox.tokenFile()))).toEqual([]);
  });
});
