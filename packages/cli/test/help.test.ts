import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, runCli } from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { describe, expect } from 'vitest';

const COMMANDS = ['login', 'logout', 'status', 'token', 'exec', 'whoami'];
const DAEMON_COMMANDS = ['start', 'status', 'stop', 'run'];

describe('gatehouse --help', () => {
  it('explains login for a human, client credentials for a service, and the token file security', async ({
    sandbox,
  }) => {
    const { code, stdout, stderr } = await runCli(['--help'], sandbox.env);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const command of COMMANDS) expect(stdout).toContain(`  ${command} `);
    expect(stdout).toContain('gatehouse login --issuer');
    expect(stdout).toContain('--no-browser');
    expect(stdout).toContain('client_credentials');
    expect(stdout).toMatch(/mode 0600 in a 0700 folder/);
    expect(stdout).toContain('GATEHOUSE_TOKEN_PASSPHRASE');
    expect(stdout).toContain('config.json');
    expect(stdout).toContain('Exit codes: 0 success, 1 runtime failure');
    expect(stdout).toMatch(/2 usage or\s+configuration error/);
  });

  it.for(COMMANDS)('%s --help exits 0 and documents its options', async (command, { sandbox }) => {
    const { code, stdout } = await runCli([command, '--help'], sandbox.env);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: gatehouse ${command}`);
    expect(stdout).toContain('--profile');
    expect(stdout).toContain('--issuer');
    expect(stdout).toMatch(/Examples?:/);
  });

  it('daemon --help lists start, status, stop and run, each with its own --help and an example', async ({
    sandbox,
  }) => {
    const { code, stdout } = await runCli(['daemon', '--help'], sandbox.env);
    expect(code).toBe(0);
    for (const sub of DAEMON_COMMANDS) expect(stdout).toContain(`  ${sub} `);
    for (const sub of DAEMON_COMMANDS) {
      const help = await runCli(['daemon', sub, '--help'], sandbox.env);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: gatehouse daemon ${sub}`);
      expect(help.stdout).toContain('--profile');
      expect(help.stdout).toContain(`Example: gatehouse daemon ${sub}`);
    }
  });

  it('each option names its environment variable, and the choices', async ({ sandbox }) => {
    const help = await runCli(['token', '--help'], sandbox.env);
    const stdout = help.stdout.replace(/\s+/g, ' '); // commander wraps at 80 columns
    for (const variable of [
      'GATEHOUSE_PROFILE',
      'GATEHOUSE_OIDC_ISSUER',
      'GATEHOUSE_OIDC_CLIENT_ID',
      'GATEHOUSE_OIDC_GRANT_TYPE',
      'GATEHOUSE_OIDC_USERNAME',
      'GATEHOUSE_OIDC_TOKEN_TYPE',
      'GATEHOUSE_TOKEN_STORAGE',
      'GATEHOUSE_TOKEN_FILE',
    ]) {
      expect(stdout).toContain(`env: ${variable}`);
    }
    expect(stdout).toMatch(/choices: "access_token", "id_token"/);
    expect(stdout).toMatch(/choices: "token", "exec-credential"/);
    expect(stdout).toContain('Examples:');
  });

  it('help <command> works too', async ({ sandbox }) => {
    const { code, stdout } = await runCli(['help', 'token'], sandbox.env);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: gatehouse token');
  });

  it('--version prints the package version', async ({ sandbox }) => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8'));
    const { code, stdout } = await runCli(['--version'], sandbox.env);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it('npx gatehouse --help works at the repository root (the workspace bin link)', async ({ sandbox }) => {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'gatehouse', '--help'], {
      cwd: REPO_ROOT,
      env: { ...sandbox.env, npm_config_update_notifier: 'false' },
    });
    expect(stdout).toContain('Usage: gatehouse');
  });
});

describe('usage errors exit 2', () => {
  it.for<[string[], RegExp]>([
    [['bogus'], /unknown command 'bogus'/],
    [['token', '--bogus'], /unknown option '--bogus'/],
    [['login', '--grant', 'implicit'], /argument 'implicit' is invalid.*Allowed choices/s],
    [
      ['token', '--token-type', 'refresh_token'],
      /argument 'refresh_token' is invalid.*access_token, id_token/s,
    ],
    [['token', '--output', 'yaml'], /argument 'yaml' is invalid.*token, exec-credential/s],
    [['status', '--token-storage', 'vault'], /argument 'vault' is invalid.*file, keychain/s],
    [['exec', '--refresh-before', '60', '--', 'true'], /--refresh-before applies to --keep-fresh/],
    [['exec', '--keep-fresh', '--refresh-before', 'soon', '--', 'true'], /must be a whole number of seconds/],
    [['whoami'], /required option '--url <service>' not specified/],
    [['exec'], /missing required argument 'command'/],
    [
      ['token', '--port', 'abc', '--issuer', 'http://127.0.0.1:1', '--client-id', 'x'],
      /option '--port <port>' argument 'abc' is invalid\. must be an integer from 0 to 65535/,
    ],
    [['exec', '--env-var', '1BAD', '--', 'true'], /--env-var "1BAD" is not a valid variable name/],
    [['whoami', '--url', 'http://api.example.com'], /Refusing to send a token over plain http/],
    [['whoami', '--url', 'not-a-url'], /--url must be an absolute http\(s\) URL/],
  ])('%j', async ([args, message], { sandbox }) => {
    const { code, stdout, stderr } = await runCli(args, sandbox.env);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('no command at all shows the help on stderr and exits 2', async ({ sandbox }) => {
    const { code, stderr } = await runCli([], sandbox.env);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: gatehouse');
  });
});
