import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOidcClient,
  type DeviceCodePrompt,
  LoginCancelledError,
  loginWithDeviceCode,
} from '../src/index.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer?.close();
});

describe('device authorization grant (RFC 8628)', () => {
  it('shows the code, polls no faster than the server interval, and returns tokens once the user approves', async () => {
    const { idp, proxy } = issuer;
    const client = createOidcClient({
      issuer: idp.issuer,
      clientId: idp.clients.device.clientId,
      fetch: proxy.fetch,
    });
    const polls = () => proxy.requests.filter((r) => r.grantType === DEVICE_GRANT);
    const prompts: DeviceCodePrompt[] = [];
    const tokens = await loginWithDeviceCode(client, {
      onPrompt: (prompt) => {
        prompts.push(prompt);
        // Approve only after two polls were refused (authorization_pending), so the spacing can be seen.
        void (async () => {
          while (polls().length < 2) await new Promise((r) => setTimeout(r, 20));
          await idp.approveDevice(prompt.userCode, { username: 'bob', password: 'bob' });
        })();
      },
    });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.verificationUri).toBe(`${idp.issuer}/device`);
    expect(prompts[0]!.userCode).toMatch(/\S/);
    expect(decodeJwt(tokens.accessToken).sub).toBe('bob');
    expect(tokens.refreshToken).toBeTruthy();
    // Polite polling: consecutive polls at least the advertised interval apart (a client never fires early).
    const times = polls().map((r) => r.at);
    expect(times.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(prompts[0]!.interval * 1000 - 50);
    }
  });

  it('stops polling on abort with LoginCancelledError', async () => {
    const { idp } = issuer;
    const client = createOidcClient({ issuer: idp.issuer, clientId: idp.clients.device.clientId });
    const controller = new AbortController();
    const login = loginWithDeviceCode(client, {
      onPrompt: () => controller.abort(),
      signal: controller.signal,
    });
    await expect(login).rejects.toBeInstanceOf(LoginCancelledError);
  });
});
