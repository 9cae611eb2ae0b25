import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  AUTHORIZATION_URL,
  BIN,
  HAS_SCRIPT,
  readTokenFile,
  runCli,
  runInTerminal,
  setAccessTokenExpiry,
  startCli,
} from '@gatehouse/testkit';
import { cliTest as it } from '@gatehouse/testkit/vitest';
import { describe, expect } from 'vitest';
import { startBrowserRelay } from './helpers/browser-relay.js';

/** True when something accepts connections on the port. */
async function isListening(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    () => false,
  );
}

describe('opening the browser', () => {
  it('login runs GATEHOUSE_BROWSER with the URL (and still prints the URL for when none opens)', async ({
    issuer,
    env,
  }) => {
    const relay = await startBrowserRelay((url) =>
      issuer.idp.loginHeadless(url, { username: 'bob', password: 'bob' }, { deliver: true }),
    );
    try {
      const result = await runCli(['login', '--port', '0'], { ...env, GATEHOUSE_BROWSER: relay.command });
      expect(result.code).toBe(0);
      expect(relay.opened).toHaveLength(1);
      expect(result.stderr).toContain('Opening your browser to sign in. If it does not open, visit:');
      expect(result.stderr).toContain(relay.opened[0]);
      expect(result.stderr).toContain('Logged in as bob');
    } finally {
      await relay.close();
    }
  });

  it('GATEHOUSE_BROWSER that cannot start: a message, and the login still completes from the printed URL', async ({
    issuer,
    env,
  }) => {
    const cli = startCli(['login', '--port', '0'], {
      ...env,
      GATEHOUSE_BROWSER: 'no-such-browser-gatehouse',
    });
    const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
    await cli.waitForStderr(/Could not open a browser/);
    await issuer.idp.loginHeadless(url!, { username: 'alice', password: 'alice' }, { deliver: true });
    expect((await cli.done).code).toBe(0);
  });
});

describe('interrupting a login', () => {
  it('Ctrl-C while waiting for the browser closes the callback server and exits 130', async ({
    sandbox,
    env,
  }) => {
    const cli = startCli(['login', '--no-browser', '--port', '0'], env);
    const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
    await cli.waitForStderr(/Waiting for the login callback/);
    const port = Number(new URL(new URL(url!).searchParams.get('redirect_uri')!).port);
    expect(await isListening(port)).toBe(true);
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('Login cancelled.');
    expect(await isListening(port)).toBe(false);
    expect(existsSync(sandbox.tokenFile())).toBe(false);
  });

  it('a busy callback port is exit 1 and suggests --port', async ({ env }) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runCli(['login', '--no-browser', '--port', String(port)], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port 127.0.0.1:${port} is already in use`);
      expect(result.stderr).toContain('--port');
    } finally {
      blocker.close();
    }
  });
});

// `script` (util-linux) gives the CLI a real pseudo-terminal, so it knows a person is there.
describe.skipIf(!HAS_SCRIPT)('first run in a terminal (a pseudo-terminal via script(1))', () => {
  it('token with no stored login logs in first (browser), then prints the token', async ({
    sandbox,
    issuer,
    env,
  }) => {
    const relay = await startBrowserRelay((url) =>
      issuer.idp.loginHeadless(url, { username: 'alice', password: 'alice' }, { deliver: true }),
    );
    try {
      const { code, output } = await runInTerminal(`"${process.execPath}" "${BIN}" token --port 0`, {
        ...env,
        GATEHOUSE_BROWSER: relay.command,
      });
      const doc = await readTokenFile(sandbox.tokenFile());
      expect(code).toBe(0);
      expect(relay.opened).toHaveLength(1);
      expect(output).toContain('Opening your browser to sign in');
      expect(output).toContain(doc.access_token);
    } finally {
      await relay.close();
    }
  });

  it('without a terminal the same command does not log in: exit 1 and run `gatehouse login`', async ({
    env,
  }) => {
    const relay = await startBrowserRelay(async () => {});
    try {
      const result = await runCli(['token'], { ...env, GATEHOUSE_BROWSER: relay.command });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('run `gatehouse login`');
      expect(relay.opened).toEqual([]);
    } finally {
      await relay.close();
    }
  });

  it('an encrypted refresh token and no GATEHOUSE_TOKEN_PASSPHRASE: the passphrase is asked for, not echoed', async ({
    sandbox,
    issuer,
    env,
  }) => {
    // Log in with the passphrase in the environment, then expire the access token so a refresh is needed.
    const cli = startCli(['login', '--no-browser', '--port', '0'], {
      ...env,
      GATEHOUSE_TOKEN_PASSPHRASE: 'typed secret',
    });
    const [, url] = await cli.waitForStderr(AUTHORIZATION_URL);
    await issuer.idp.loginHeadless(url!, { username: 'alice', password: 'alice' }, { deliver: true });
    expect((await cli.done).code).toBe(0);
    const doc = await setAccessTokenExpiry(sandbox.tokenFile(), -1);
    expect(doc.refresh_token_encrypted).toBeDefined();

    const { code, output } = await runInTerminal(`"${process.execPath}" "${BIN}" token`, env, [
      { prompt: 'Passphrase for the refresh token:', answer: 'typed secret' },
    ]);
    const after = await readTokenFile(sandbox.tokenFile());
    expect(code).toBe(0);
    expect(after.access_token).not.toBe(doc.access_token);
    expect(output).toContain(after.access_token);
    expect(output).not.toContain('typed secret');
  });
});
