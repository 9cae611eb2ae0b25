import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { loginEnv, loginHeadlessly, runCli, startCli, startTestIssuer } from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { describe, expect } from 'vitest';

// Access tokens of 12 s: `--refresh-before` (default 300) is capped at half of that, so the file is renewed
// about 6 s after the login.
const TTL_SECS = 12;
it.override('idpOptions', { accessTokenTtlSecs: TTL_SECS });
it.beforeEach(async ({ issuer, env }) => {
  expect((await loginHeadlessly(issuer, env)).code).toBe(0);
});

/** A child that reports its token file as it starts, then again once the file has changed (or after 15 s). */
const WATCHER = `
const fs = require('node:fs'), path = require('node:path');
const file = process.env.GATEHOUSE_ACCESS_TOKEN_FILE;
const stat = (p) => (fs.statSync(p).mode & 0o777).toString(8);
const out = { file, env: process.env.GATEHOUSE_ACCESS_TOKEN, first: fs.readFileSync(file, 'utf8'), mode: stat(file), dirMode: stat(path.dirname(file)) };
const deadline = Date.now() + 20000;
const timer = setInterval(() => {
  const now = fs.readFileSync(file, 'utf8');
  if (now !== out.first || Date.now() > deadline) {
    clearInterval(timer);
    out.second = now;
    out.secondMode = stat(file);
    process.stdout.write(JSON.stringify(out));
  }
}, 50);`;

describe('exec --keep-fresh', () => {
  it('gives the child a 0600 token file in a private folder, renewed before expiry, deleted at exit', async ({
    env,
  }) => {
    const result = await runCli(['exec', '--keep-fresh', '--', process.execPath, '-e', WATCHER], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const seen = JSON.parse(result.stdout);
    expect(seen.first).toBe(`${seen.env}\n`); // there before the child started: the token and one newline
    expect(seen.mode).toBe('600');
    expect(seen.dirMode).toBe('700');
    expect(seen.second).not.toBe(seen.first);
    expect(seen.second).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(seen.secondMode).toBe('600');
    expect(existsSync(seen.file)).toBe(false);
    expect(existsSync(dirname(seen.file))).toBe(false);
  });

  it('--env-var also names the file variable after it; GATEHOUSE_ACCESS_TOKEN_FILE stays', async ({
    env,
  }) => {
    const script =
      'process.stdout.write(String(process.env.API_TOKEN_FILE === process.env.GATEHOUSE_ACCESS_TOKEN_FILE && !!process.env.API_TOKEN))';
    const result = await runCli(
      ['exec', '--keep-fresh', '--env-var', 'API_TOKEN', '--', process.execPath, '-e', script],
      env,
    );
    expect(result.stdout).toBe('true');
  });

  it('the file and its folder are deleted when gatehouse is interrupted', async ({ env }) => {
    const cli = startCli(
      [
        'exec',
        '--keep-fresh',
        '--',
        process.execPath,
        '-e',
        'console.log(process.env.GATEHOUSE_ACCESS_TOKEN_FILE); setInterval(() => {}, 1000)',
      ],
      env,
    );
    const file = await new Promise<string>((resolve) => {
      cli.child.stdout!.on('data', () => {
        const line = cli.stdout().split('\n')[0];
        if (line && cli.stdout().includes('\n')) resolve(line);
      });
    });
    expect(existsSync(file)).toBe(true);
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code).toBe(130); // the child's own exit, killed by the SIGINT passed on to it
    expect(existsSync(file)).toBe(false);
    expect(existsSync(dirname(file))).toBe(false);
  });

  it('a failed renewal keeps the file and prints one warning', async ({ sandbox }) => {
    // A provider of its own that goes away while the command runs.
    const gone = await startTestIssuer({ accessTokenTtlSecs: TTL_SECS });
    const goneEnv = loginEnv(sandbox, gone);
    expect((await loginHeadlessly(gone, goneEnv)).code).toBe(0);
    const script = `
      const fs = require('node:fs');
      const file = process.env.GATEHOUSE_ACCESS_TOKEN_FILE;
      const first = fs.readFileSync(file, 'utf8');
      console.log('started');
      setTimeout(() => process.stdout.write(String(fs.readFileSync(file, "utf8") === first)), 9000);`;
    const cli = startCli(['exec', '--keep-fresh', '--', process.execPath, '-e', script], goneEnv);
    await new Promise<void>((resolve) => cli.child.stdout!.once('data', () => resolve()));
    await gone.close();
    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(result.stdout.trim().endsWith('true')).toBe(true);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('could not renew the token');
  });
});
