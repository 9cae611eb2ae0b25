import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  loginHeadlessly,
  readTokenFile,
  runCli,
  type Sandbox,
  setAccessTokenExpiry,
  type TestIssuer,
  writeConfig,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { describe, expect } from 'vitest';

const REPORTS = 'urn:gatehouse:reports';
const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

it.override('idpOptions', { extraAudiences: [REPORTS] });
it.beforeEach(({ issuer }) => issuer.proxy.reset());

const secret = (issuer: TestIssuer) => ({
  GATEHOUSE_EXCHANGE_CLIENT_SECRET: issuer.idp.clients.service.clientSecret,
});
const exchanges = (issuer: TestIssuer) => issuer.proxy.requests.filter((r) => r.grantType === EXCHANGE_GRANT);

describe('a profile whose own login is exchanged (no "from")', () => {
  it.beforeEach(async ({ sandbox, issuer }) => {
    await writeConfig(sandbox, {
      profiles: {
        default: {
          issuer: issuer.idp.issuer,
          clientId: issuer.idp.clients.cli.clientId,
          exchange: {
            tokenEndpoint: `${issuer.proxy.origin}/token`,
            clientId: 'gatehouse-service',
            audience: REPORTS,
          },
        },
      },
    });
  });
  const exchangedFile = (sandbox: Sandbox) => join(sandbox.configDir, 'tokens', 'default.exchanged.json');

  it('token exchanges the login, stores the result, and reuses it without the secret while valid', async ({
    sandbox,
    issuer,
  }) => {
    expect((await loginHeadlessly(issuer, sandbox.env)).code).toBe(0);
    const login = await readTokenFile(sandbox.tokenFile());

    const noSecret = await runCli(['token'], sandbox.env);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('GATEHOUSE_EXCHANGE_CLIENT_SECRET');
    expect(exchanges(issuer)).toHaveLength(0);

    const first = await runCli(['token'], { ...sandbox.env, ...secret(issuer) });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const token = first.stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ sub: 'alice', aud: REPORTS, act: { sub: 'gatehouse-service' } });
    expect(exchanges(issuer)).toHaveLength(1);
    expect(exchanges(issuer)[0]!.params).toMatchObject({
      subject_token: login.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: REPORTS,
    });
    expect((await stat(exchangedFile(sandbox))).mode & 0o777).toBe(0o600);
    expect((await readTokenFile(exchangedFile(sandbox))).access_token).toBe(token);

    const again = await runCli(['token'], sandbox.env); // no secret needed: the stored token is still valid
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(token);
    expect(exchanges(issuer)).toHaveLength(1);

    // Shortly before the exchanged token expires it is exchanged again.
    await setAccessTokenExpiry(exchangedFile(sandbox), 5);
    const renewed = await runCli(['token'], { ...sandbox.env, ...secret(issuer) });
    expect(renewed.stdout.trim()).not.toBe(token);
    expect(exchanges(issuer)).toHaveLength(2);
  });

  it('status shows the login, the audience and the exchanged token expiry, never a token', async ({
    sandbox,
    issuer,
  }) => {
    await loginHeadlessly(issuer, sandbox.env);
    await runCli(['token'], { ...sandbox.env, ...secret(issuer) });
    const human = await runCli(['status'], sandbox.env);
    const json = await runCli(['status', '--json'], sandbox.env);
    expect(human.code).toBe(0);
    expect(human.stderr).toMatch(/Logged in as: +alice/);
    expect(human.stderr).toContain(
      `Exchange:       for ${REPORTS} at ${issuer.proxy.origin}/token (client gatehouse-service)`,
    );
    expect(human.stderr).toMatch(/Exchanged token: valid, expires in \d+ min/);
    expect(JSON.parse(json.stdout).exchange).toMatchObject({
      audience: REPORTS,
      valid: true,
      clientId: 'gatehouse-service',
    });
    const everything = human.stderr + human.stdout + json.stdout + json.stderr;
    for (const file of [sandbox.tokenFile(), exchangedFile(sandbox)]) {
      const doc = await readTokenFile(file);
      for (const t of [doc.access_token, doc.refresh_token, doc.id_token].filter(Boolean)) {
        expect(everything).not.toContain(t);
      }
    }
  });

  it('logout logs the source out and deletes the exchanged token too; a new login drops a stale one', async ({
    sandbox,
    issuer,
  }) => {
    await loginHeadlessly(issuer, sandbox.env);
    await runCli(['token'], { ...sandbox.env, ...secret(issuer) });
    expect(existsSync(exchangedFile(sandbox))).toBe(true);
    await loginHeadlessly(issuer, sandbox.env, [], 'bob');
    expect(existsSync(exchangedFile(sandbox))).toBe(false);
    const token = await runCli(['token'], { ...sandbox.env, ...secret(issuer) });
    expect(decodeJwt(token.stdout.trim()).sub).toBe('bob');

    const logout = await runCli(['logout'], sandbox.env);
    expect(logout.code).toBe(0);
    expect(logout.stderr).toContain('the refresh token was revoked');
    expect(existsSync(sandbox.tokenFile())).toBe(false);
    expect(existsSync(exchangedFile(sandbox))).toBe(false);
  });

  it('--token-type id_token cannot apply to an exchanged token: exit 2', async ({ sandbox }) => {
    const result = await runCli(['token', '--token-type', 'id_token'], sandbox.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('exchanges its token');
  });
});

describe('a profile that exchanges the token of another ("from")', () => {
  it.beforeEach(async ({ sandbox, issuer }) => {
    await writeConfig(sandbox, {
      profiles: {
        corp: { issuer: issuer.idp.issuer, clientId: issuer.idp.clients.cli.clientId },
        cluster: {
          exchange: {
            from: 'corp',
            tokenEndpoint: `${issuer.proxy.origin}/token`,
            clientId: 'gatehouse-service',
            resource: REPORTS,
            requestedTokenType: ACCESS_TOKEN_TYPE,
          },
        },
      },
    });
  });

  it("login acts on the source profile; GATEHOUSE_OIDC_* and GATEHOUSE_TOKEN_FILE stay the selected profile's", async ({
    sandbox,
    issuer,
  }) => {
    // The exchanging profile has no issuer or client of its own: its login is corp's.
    expect((await loginHeadlessly(issuer, sandbox.env, ['--profile', 'cluster'])).code).toBe(0);
    expect(existsSync(sandbox.tokenFile('corp'))).toBe(true);
    const corp = await readTokenFile(sandbox.tokenFile('corp'));

    const exchangedFile = join(sandbox.home, 'cluster-token.json');
    const env = {
      ...sandbox.env,
      ...secret(issuer),
      GATEHOUSE_OIDC_ISSUER: 'http://127.0.0.1:9', // would break corp's refresh if it applied to corp
      GATEHOUSE_TOKEN_FILE: exchangedFile,
    };
    await setAccessTokenExpiry(sandbox.tokenFile('corp'), 5); // the source needs a refresh first
    const result = await runCli(['token', '--profile', 'cluster'], env);
    expect(result.code).toBe(0);
    expect(decodeJwt(result.stdout.trim())).toMatchObject({ sub: 'alice', aud: REPORTS });
    const refreshed = await readTokenFile(sandbox.tokenFile('corp'));
    expect(refreshed.access_token).not.toBe(corp.access_token);
    expect((await readTokenFile(exchangedFile)).access_token).toBe(result.stdout.trim());
    expect(exchanges(issuer)[0]!.params).toMatchObject({
      subject_token: refreshed.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      resource: REPORTS,
      requested_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(exchanges(issuer)[0]!.params.audience).toBeUndefined();

    const status = await runCli(['status', '--profile', 'cluster'], env);
    expect(status.code).toBe(0);
    expect(status.stderr).toContain('(logged in through profile "corp")');
    expect(status.stderr).toMatch(/Logged in as: +alice/);
  });

  it('with nothing stored, exit 1 telling the user to log in', async ({ sandbox, issuer }) => {
    const result = await runCli(['token', '--profile', 'cluster'], { ...sandbox.env, ...secret(issuer) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run `gatehouse login --profile cluster`');
  });
});
