import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../client/test/helpers/build.js';
import { startTestIssuer, type TestIssuer } from '../../client/test/helpers/idp.js';
import {
  createSandbox,
  loginHeadlessly,
  readTokenFile,
  runCli,
  type Sandbox,
  setAccessTokenExpiry,
  writeConfig,
} from './helpers/cli.js';

const REPORTS = 'urn:gatehouse:reports';
const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

let issuer: TestIssuer;
let sandbox: Sandbox;
beforeAll(async () => {
  await ensureBuilt();
  issuer = await startTestIssuer({ extraAudiences: [REPORTS] });
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

const secret = () => ({ GATEHOUSE_EXCHANGE_CLIENT_SECRET: issuer.idp.clients.service.clientSecret });
const exchanges = () => issuer.proxy.requests.filter((r) => r.grantType === EXCHANGE_GRANT);

describe('a profile whose own login is exchanged (no "from")', () => {
  beforeEach(async () => {
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
  const exchangedFile = () => join(sandbox.configDir, 'tokens', 'default.exchanged.json');

  it('token exchanges the login, stores the result, and reuses it without the secret while valid', async () => {
    expect((await loginHeadlessly(issuer, sandbox.env)).code).toBe(0);
    const login = await readTokenFile(sandbox.tokenFile());

    const noSecret = await runCli(['token'], sandbox.env);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('GATEHOUSE_EXCHANGE_CLIENT_SECRET');
    expect(exchanges()).toHaveLength(0);

    const first = await runCli(['token'], { ...sandbox.env, ...secret() });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const token = first.stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ sub: 'alice', aud: REPORTS, act: { sub: 'gatehouse-service' } });
    expect(exchanges()).toHaveLength(1);
    expect(exchanges()[0]!.params).toMatchObject({
      subject_token: login.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: REPORTS,
    });
    expect((await stat(exchangedFile())).mode & 0o777).toBe(0o600);
    expect((await readTokenFile(exchangedFile())).access_token).toBe(token);

    const again = await runCli(['token'], sandbox.env); // no secret needed: the stored token is still valid
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(token);
    expect(exchanges()).toHaveLength(1);

    // Shortly before the exchanged token expires it is exchanged again.
    await setAccessTokenExpiry(exchangedFile(), 5);
    const renewed = await runCli(['token'], { ...sandbox.env, ...secret() });
    expect(renewed.stdout.trim()).not.toBe(token);
    expect(exchanges()).toHaveLength(2);
  });

  it('status shows the login, the audience and the exchanged token expiry, never a token', async () => {
    await loginHeadlessly(issuer, sandbox.env);
    await runCli(['token'], { ...sandbox.env, ...secret() });
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
    for (const file of [sandbox.tokenFile(), exchangedFile()]) {
      const doc = await readTokenFile(file);
      for (const t of [doc.access_token, doc.refresh_token, doc.id_token].filter(Boolean)) {
        expect(everything).not.toContain(t);
      }
    }
  });

  it('logout logs the source out and deletes the exchanged token too; a new login drops a stale one', async () => {
    await loginHeadlessly(issuer, sandbox.env);
    await runCli(['token'], { ...sandbox.env, ...secret() });
    expect(existsSync(exchangedFile())).toBe(true);
    await loginHeadlessly(issuer, sandbox.env, [], 'bob');
    expect(existsSync(exchangedFile())).toBe(false);
    const token = await runCli(['token'], { ...sandbox.env, ...secret() });
    expect(decodeJwt(token.stdout.trim()).sub).toBe('bob');

    const logout = await runCli(['logout'], sandbox.env);
    expect(logout.code).toBe(0);
    expect(logout.stderr).toContain('the refresh token was revoked');
    expect(existsSync(sandbox.tokenFile())).toBe(false);
    expect(existsSync(exchangedFile())).toBe(false);
  });

  it('--token-type id_token cannot apply to an exchanged token: exit 2', async () => {
    const result = await runCli(['token', '--token-type', 'id_token'], sandbox.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('exchanges its token');
  });
});

describe('a profile that exchanges the token of another ("from")', () => {
  beforeEach(async () => {
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

  it("login acts on the source profile; GATEHOUSE_OIDC_* and GATEHOUSE_TOKEN_FILE stay the selected profile's", async () => {
    // The exchanging profile has no issuer or client of its own: its login is corp's.
    expect((await loginHeadlessly(issuer, sandbox.env, ['--profile', 'cluster'])).code).toBe(0);
    expect(existsSync(sandbox.tokenFile('corp'))).toBe(true);
    const corp = await readTokenFile(sandbox.tokenFile('corp'));

    const exchangedFile = join(sandbox.home, 'cluster-token.json');
    const env = {
      ...sandbox.env,
      ...secret(),
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
    expect(exchanges()[0]!.params).toMatchObject({
      subject_token: refreshed.access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      resource: REPORTS,
      requested_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(exchanges()[0]!.params.audience).toBeUndefined();

    const status = await runCli(['status', '--profile', 'cluster'], env);
    expect(status.code).toBe(0);
    expect(status.stderr).toContain('(logged in through profile "corp")');
    expect(status.stderr).toMatch(/Logged in as: +alice/);
  });

  it('with nothing stored, exit 1 telling the user to log in', async () => {
    const result = await runCli(['token', '--profile', 'cluster'], { ...sandbox.env, ...secret() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run `gatehouse login --profile cluster`');
  });
});
