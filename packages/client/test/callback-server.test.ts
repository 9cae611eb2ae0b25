import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  CallbackPortInUseError,
  InvalidOptionsError,
  LoginCancelledError,
  LoginTimeoutError,
  startCallbackServer,
} from '../src/index.js';

/** True when something accepts connections on the port (the server is still up). */
async function isListening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe('startCallbackServer', () => {
  it('serves one callback with a "you can close this tab" page, resolves with its URL and shuts down', async () => {
    const server = await startCallbackServer({ port: 0, expectedState: 's1' });
    expect(server.redirectUri).toBe(`http://127.0.0.1:${server.port}/callback`);
    const res = await fetch(`${server.redirectUri}?code=abc&state=s1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('You can close this tab');
    const url = await server.waitForCallback();
    expect(url.searchParams.get('code')).toBe('abc');
    expect(await isListening(server.port)).toBe(false);
  });

  it('refuses a callback with the wrong state and keeps waiting for the right one', async () => {
    const server = await startCallbackServer({ port: 0, expectedState: 'good' });
    const wrong = await fetch(`${server.redirectUri}?code=x&state=bad`);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('does not belong');
    const right = await fetch(`${server.redirectUri}?code=y&state=good`);
    expect(right.status).toBe(200);
    expect((await server.waitForCallback()).searchParams.get('code')).toBe('y');
  });

  it('answers 404 elsewhere and 400 for a callback without code or error, without finishing', async () => {
    const server = await startCallbackServer({ port: 0 });
    expect((await fetch(`http://127.0.0.1:${server.port}/favicon.ico`)).status).toBe(404);
    expect((await fetch(server.redirectUri)).status).toBe(400);
    expect(await isListening(server.port)).toBe(true);
    await server.close();
    expect(await isListening(server.port)).toBe(false);
  });

  it('shows the error page for an error response and still resolves (the caller reports the error)', async () => {
    const server = await startCallbackServer({ port: 0, expectedState: 's' });
    const res = await fetch(`${server.redirectUri}?error=access_denied&state=s`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('access_denied');
    expect((await server.waitForCallback()).searchParams.get('error')).toBe('access_denied');
  });

  it('gives up after the timeout with LoginTimeoutError and frees the port', async () => {
    const server = await startCallbackServer({ port: 0, timeoutSecs: 0.2 });
    await expect(server.waitForCallback()).rejects.toBeInstanceOf(LoginTimeoutError);
    expect(await isListening(server.port)).toBe(false);
  });

  it('stops on abort (Ctrl-C) with LoginCancelledError and frees the port', async () => {
    const controller = new AbortController();
    const server = await startCallbackServer({ port: 0, signal: controller.signal });
    controller.abort();
    await expect(server.waitForCallback()).rejects.toMatchObject({ code: 'login_cancelled' });
    await expect(server.waitForCallback()).rejects.toBeInstanceOf(LoginCancelledError);
    expect(await isListening(server.port)).toBe(false);
  });

  it('reports a busy port as CallbackPortInUseError', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startCallbackServer({ port })).rejects.toBeInstanceOf(CallbackPortInUseError);
      await expect(startCallbackServer({ port })).rejects.toMatchObject({
        port,
        message: expect.stringContaining('--port'),
      });
    } finally {
      blocker.close();
    }
  });

  it('refuses to bind anything but loopback', async () => {
    await expect(startCallbackServer({ host: '0.0.0.0', port: 0 })).rejects.toBeInstanceOf(
      InvalidOptionsError,
    );
  });
});
