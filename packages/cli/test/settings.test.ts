import { join } from 'node:path';
import { runCli, writeConfig } from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { decodeJwt } from 'jose';
import { describe, expect } from 'vitest';
import { resolveSettings } from '../src/index.js';

const UNREACHABLE = 'http://127.0.0.1:9';

describe('settings precedence: flags, then environment, then the config file profile', () => {
  it('resolves each setting from the highest source that has it (in process)', async ({ sandbox }) => {
    await writeConfig(sandbox, {
      defaultProfile: 'dev',
      profiles: {
        dev: {
          issuer: 'https://file.example',
          clientId: 'file-client',
          scope: 'file-scope',
          port: 5000,
          tokenFile: '~/t.json',
        },
      },
    });
    // Commander hands over a flag, or else its variable, as the flag's value; the file fills the rest.
    const env = sandbox.env;
    const settings = await resolveSettings({ clientId: 'env-client', scope: 'flag-scope' }, env, () => {});
    expect(settings).toMatchObject({
      profile: 'dev',
      issuer: 'https://file.example',
      clientId: 'env-client',
      scope: 'flag-scope',
      port: 5000,
      tokenFile: join(sandbox.home, 't.json'),
      grant: 'authorization_code',
      tokenType: 'access_token',
      tokenStorage: 'file',
    });
    expect((await resolveSettings({ tokenFile: '/x/flag.json' }, env, () => {})).tokenFile).toBe(
      '/x/flag.json',
    );
    // An exported but empty variable counts as unset.
    expect((await resolveSettings({ issuer: '' }, env, () => {})).issuer).toBe('https://file.example');
  });

  it('selects the profile by --profile, then GATEHOUSE_PROFILE, then defaultProfile, then "default"', async ({
    sandbox,
  }) => {
    await writeConfig(sandbox, {
      defaultProfile: 'dev',
      profiles: {
        dev: { grant: 'client_credentials' },
        ci: { grant: 'client_credentials', tokenFile: join(sandbox.home, 'ci.json') },
        prod: { grant: 'client_credentials', tokenFile: join(sandbox.home, 'prod.json') },
      },
    });
    const env = sandbox.env;
    expect((await resolveSettings({}, env, () => {})).profile).toBe('dev');
    expect((await resolveSettings({ profile: 'prod' }, env, () => {})).tokenFile).toBe(
      join(sandbox.home, 'prod.json'),
    );
    // Through the command, whose --profile falls back to GATEHOUSE_PROFILE: status names the token file.
    const fromEnv = await runCli(['status'], { ...env, GATEHOUSE_PROFILE: 'ci' });
    expect(fromEnv.stderr).toContain(`profile "ci", no tokens at ${join(sandbox.home, 'ci.json')}`);
    const fromFlag = await runCli(['status', '--profile', 'prod'], { ...env, GATEHOUSE_PROFILE: 'ci' });
    expect(fromFlag.stderr).toContain(`profile "prod", no tokens at ${join(sandbox.home, 'prod.json')}`);
    const fallback = await runCli(['status'], env);
    expect(fallback.stderr).toContain(
      `profile "dev", no tokens at ${join(sandbox.configDir, 'tokens', 'dev.json')}`,
    );
  });

  it('environment beats the config file, flags beat the environment (against the IdP)', async ({
    sandbox,
    issuer,
  }) => {
    await writeConfig(sandbox, {
      profiles: {
        default: {
          issuer: UNREACHABLE,
          clientId: issuer.idp.clients.service.clientId,
          grant: 'client_credentials',
        },
      },
    });
    const env = {
      ...sandbox.env,
      GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer,
      GATEHOUSE_OIDC_CLIENT_SECRET: issuer.idp.clients.service.clientSecret,
    };
    const fromEnv = await runCli(['token'], env);
    expect(fromEnv.code).toBe(0);
    expect(decodeJwt(fromEnv.stdout.trim()).sub).toBe('gatehouse-service');

    const fromFlag = await runCli(
      ['token', '--issuer', UNREACHABLE, '--token-file', join(sandbox.home, 'other.json')],
      env,
    );
    expect(fromFlag.code).toBe(1);
    expect(fromFlag.stderr).toContain('http://127.0.0.1:9');
  });
});

describe('configuration errors exit 2 and say what to set', () => {
  it('no issuer: names the flag, the variable and the config file', async ({ sandbox }) => {
    const { code, stderr } = await runCli(['token'], sandbox.env);
    expect(code).toBe(2);
    expect(stderr).toContain('No issuer configured for profile "default"');
    expect(stderr).toContain('--issuer');
    expect(stderr).toContain('GATEHOUSE_OIDC_ISSUER');
    expect(stderr).toContain(join(sandbox.configDir, 'config.json'));
  });

  it('no client id', async ({ sandbox, issuer }) => {
    const { code, stderr } = await runCli(['login', '--issuer', issuer.idp.issuer], sandbox.env);
    expect(code).toBe(2);
    expect(stderr).toContain('No clientId configured');
  });

  it('client_credentials without a secret', async ({ sandbox, issuer }) => {
    const { code, stderr } = await runCli(
      [
        'token',
        '--grant',
        'client_credentials',
        '--issuer',
        issuer.idp.issuer,
        '--client-id',
        'gatehouse-service',
      ],
      sandbox.env,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('the client_credentials grant needs a client secret');
    expect(stderr).toContain('GATEHOUSE_OIDC_CLIENT_SECRET');
  });

  it('an http:// issuer that is not loopback is refused', async ({ sandbox }) => {
    const { code, stderr } = await runCli(
      ['token', '--issuer', 'http://idp.example.com', '--client-id', 'c'],
      sandbox.env,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('http:// is only accepted on a loopback host');
  });

  it('an unknown grant from the environment names the variable', async ({ sandbox }) => {
    const { code, stderr } = await runCli(['token'], {
      ...sandbox.env,
      GATEHOUSE_OIDC_GRANT_TYPE: 'implicit',
    });
    expect(code).toBe(2);
    expect(stderr).toContain("value 'implicit' from env 'GATEHOUSE_OIDC_GRANT_TYPE' is invalid");
    expect(stderr).toContain(
      'Allowed choices are authorization_code, client_credentials, device_code, password',
    );
  });

  it.for<[string, string]>([
    ['GATEHOUSE_OIDC_TOKEN_TYPE', 'refresh_token'],
    ['GATEHOUSE_TOKEN_STORAGE', 'vault'],
  ])('an invalid %s is exit 2 naming it', async ([variable, value], { sandbox }) => {
    const { code, stderr } = await runCli(['token'], { ...sandbox.env, [variable]: value });
    expect(code).toBe(2);
    expect(stderr).toContain(`value '${value}' from env '${variable}' is invalid`);
  });

  it('a config file that is not JSON names the file', async ({ sandbox }) => {
    await writeConfig(sandbox, '{ "profiles": ');
    const { code, stderr } = await runCli(['status'], sandbox.env);
    expect(code).toBe(2);
    expect(stderr).toContain(`The config file ${join(sandbox.configDir, 'config.json')} is not valid JSON`);
  });

  it.for([
    [{ profiles: { default: { port: 'eighty' } } }, '"profiles.default.port" must be an integer'],
    [{ profiles: { default: { grant: 'implicit' } } }, '"profiles.default.grant" must be one of'],
    [
      { profiles: { default: { tokenType: 'jwt' } } },
      '"profiles.default.tokenType" must be one of access_token, id_token',
    ],
    [
      { profiles: { default: { tokenStorage: 'vault' } } },
      '"profiles.default.tokenStorage" must be one of file, keychain',
    ],
    [
      { profiles: { default: { exchange: { issuer: 'https://sts.example' } } } },
      '"profiles.default.exchange.clientId" is required',
    ],
    [
      { profiles: { default: { exchange: { clientId: 'x' } } } },
      '"profiles.default.exchange.issuer" is required',
    ],
    [
      { profiles: { default: { exchange: { clientId: 'x', issuer: 'https://sts.example', from: 'nope' } } } },
      '"profiles.default.exchange.from" must name another profile',
    ],
    [{ profiles: { default: { issuer: 42 } } }, '"profiles.default.issuer" must be a non-empty string'],
    [{ profiles: [] }, '"profiles" must be an object'],
  ] as const)('an invalid field names it: %j', async ([config, message], { sandbox }) => {
    await writeConfig(sandbox, config);
    const { code, stderr } = await runCli(['status'], sandbox.env);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('unknown fields are warnings, not errors', async ({ sandbox, issuer }) => {
    await writeConfig(sandbox, { profiles: { default: { issuer: issuer.idp.issuer, colour: 'blue' } } });
    const { code, stderr } = await runCli(['status'], sandbox.env);
    expect(code).toBe(1); // not logged in, but the config was accepted
    expect(stderr).toContain('unknown field "profiles.default.colour" ignored');
  });

  it('a provider that cannot be reached is a runtime failure (exit 1)', async ({ sandbox }) => {
    const { code, stderr } = await runCli(
      ['login', '--issuer', UNREACHABLE, '--client-id', 'c', '--no-browser'],
      sandbox.env,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/OpenID discovery failed for issuer "http:\/\/127\.0\.0\.1:9"/);
  });
});
