import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOidcClient,
  type DeviceCodePrompt,
  LoginCancelledError,
  loginWithDeviceCode,
} from '../src/index.js';
import { startTestIssuer, type TestIssuer } from './helpers/idp.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer?.close();
});

describe('device authorization grant (RFC 8628)', () => {
  it('shows the code, polls at the server interval and returns tokens once the user approves', async () => {
    const { idp } = issuer;
    const client = createOidcClient({
      issuer: idp.issuer,
      clientId: idp.clients.device.clientId,
      fetch: issuer.proxy.fetch,
    });
    const prompts: DeviceCodePrompt[] = [];
    const tokens = await loginWithDeviceCode(client, {
      onPrompt: (prompt) => {
        prompts.push(prompt);
        void idp.approveDevice(prompt.userCode, { username: 'bob', password: 'bob' });
      },
    });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.verificationUri).toBe(`${idp.issuer}/device`);
    expect(prompts[0]!.interval).toBeGreaterThanOrEqual(5);
    expect(decodeJwt(tokens.accessToken).sub).toBe('bob');
    expect(tokens.refreshToken).toBeTruthy();
    // Polite polling: one poll per interval, so at most a couple of polls for an immediate approval.
    const polls = issuer.proxy.count('urn:ietf:params:oauth:grant-type:device_code');
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(polls).toBeLessThanOrEqual(2);
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
