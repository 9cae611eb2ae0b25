import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createOidcClient, revokeToken } from '@gatehouse/client';
import {
  loginHeadlessly,
  readTokenFile,
  runCli,
  type Sandbox,
  setAccessTokenExpiry,
  type TestIssuer,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { describe, expect } from 'vitest';

it.afterEach(async ({ sandbox, env }) => {
  // Never leave a daemon behind: stop it, and kill whatever the lock still names.
  await runCli(['daemon', 'stop'], env);
  const pid = Number.parseInt(await readFile(files(sandbox).lock, 'utf8').catch(() => ''), 10);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const files = (sandbox: Sandbox) => {
  const folder = join(sandbox.configDir, 'profiles', 'default');
  return {
    folder,
    pid: join(folder, 'daemon.pid'),
    lock: join(folder, 'daemon.lock'),
    log: join(folder, 'daemon.log'),
  };
};
/** A live process: not gone, and not a zombie (a detached daemon's parent here may never reap it). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};
const until = async (check: () => Promise<boolean> | boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
};
/** A login whose access token is 62 s from expiry: `gatehouse token` (and so the daemon) renews it in ~3 s. */
const loginAboutToRenew = async (issuer: TestIssuer, env: Record<string, string>, sandbox: Sandbox) => {
  expect((await loginHeadlessly(issuer, env)).code).toBe(0);
  return setAccessTokenExpiry(sandbox.tokenFile(), 62);
};

describe('gatehouse daemon', () => {
  it('start with nothing stored: exit 1, run `gatehouse login`, no daemon', async ({ sandbox, env }) => {
    const result = await runCli(['daemon', 'start'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run `gatehouse login`');
    expect(existsSync(files(sandbox).pid)).toBe(false);
  });

  it('start detaches and returns; status and a second start report it; it renews the tokens; stop ends it', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const before = await loginAboutToRenew(issuer, env, sandbox);
    const started = Date.now();
    const start = await runCli(['daemon', 'start'], env); // returns although its stdout/stderr pipes stay ours
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(start.code).toBe(0);
    expect(start.stdout).toBe('');
    const pid = Number(/\(pid (\d+)\)/.exec(start.stderr)?.[1]);
    expect(alive(pid)).toBe(true);
    expect((await readFile(files(sandbox).pid, 'utf8')).trim()).toBe(String(pid));
    expect(existsSync(files(sandbox).lock)).toBe(true);
    expect((await stat(files(sandbox).folder)).mode & 0o777).toBe(0o700);

    const status = await runCli(['daemon', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stderr).toContain(`(pid ${pid})`);
    const second = await runCli(['daemon', 'start'], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`already running for profile "default" (pid ${pid})`);

    // It renews the access token at the margin `gatehouse token` uses, in the token file.
    expect(
      await until(
        async () => (await readTokenFile(sandbox.tokenFile())).access_token !== before.access_token,
      ),
    ).toBe(true);
    const after = await readTokenFile(sandbox.tokenFile());
    const token = await runCli(['token'], env);
    expect(token.stdout.trim()).toBe(after.access_token);
    const log = await readFile(files(sandbox).log, 'utf8');
    expect(log).toContain('started for profile "default"');
    for (const secret of [
      before.access_token,
      before.refresh_token,
      after.access_token,
      after.refresh_token,
    ]) {
      expect(log).not.toContain(secret);
    }

    const stop = await runCli(['daemon', 'stop'], env);
    expect(stop.code).toBe(0);
    expect(stop.stderr).toContain(`Stopped the gatehouse daemon for profile "default" (pid ${pid})`);
    expect(alive(pid)).toBe(false);
    expect(existsSync(files(sandbox).pid)).toBe(false);
    expect(existsSync(files(sandbox).lock)).toBe(false);
    expect((await runCli(['daemon', 'status'], env)).code).toBe(1);
    const again = await runCli(['daemon', 'stop'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('No gatehouse daemon is running for profile "default"');
  });

  it('exits by itself when the refresh token is no longer accepted (invalid_grant)', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const doc = await loginAboutToRenew(issuer, env, sandbox);
    const start = await runCli(['daemon', 'start'], env);
    const pid = Number(/\(pid (\d+)\)/.exec(start.stderr)?.[1]);
    const client = createOidcClient({ issuer: issuer.idp.issuer, clientId: issuer.idp.clients.cli.clientId });
    expect(await revokeToken(client, doc.refresh_token)).toBe(true);
    expect(await until(() => !alive(pid))).toBe(true);
    expect((await runCli(['daemon', 'status'], env)).code).toBe(1);
    expect(await readFile(files(sandbox).log, 'utf8')).toMatch(/invalid_grant.*Exiting\./);
    expect(existsSync(files(sandbox).lock)).toBe(false);
  });

  it('a daemon that was killed leaves nothing that counts as running', async ({ issuer, env }) => {
    await loginHeadlessly(issuer, env);
    const start = await runCli(['daemon', 'start'], env);
    const pid = Number(/\(pid (\d+)\)/.exec(start.stderr)?.[1]);
    process.kill(pid, 'SIGKILL');
    expect(await until(() => !alive(pid))).toBe(true);
    expect((await runCli(['daemon', 'status'], env)).code).toBe(1);
    const restart = await runCli(['daemon', 'start'], env);
    expect(restart.code).toBe(0);
    expect(restart.stderr).toContain('Started the gatehouse daemon');
  });
});
