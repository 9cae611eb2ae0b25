import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createAuthenticatedFetch,
  createFileTokenStore,
  createOidcClient,
  createUserTokenSource,
  LoginRequiredError,
  NetworkError,
  refreshAccessToken,
  TokenRequestError,
} from '../src/index.js';
import { fixedClock, tempDir } from './helpers/fixtures.js';
import { headlessLogin } from './helpers/login.js';
import { startTestService } from './helpers/service.js';

let issuer: TestIssuer;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer?.close();
});
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  issuer.proxy.reset();
});
afterEach(async () => {
  await cleanup();
});

const cliClient = () =>
  createOidcClient({
    issuer: issuer.idp.issuer,
    clientId: issuer.idp.clients.cli.clientId,
    fetch: issuer.proxy.fetch,
  });
const storeAt = (path: string, extra: Record<string, unknown> = {}) =>
  createFileTokenStore({
    path,
    issuer: issuer.idp.issuer,
    clientId: 'gatehouse-cli',
    onWarning: () => {},
    ...extra,
  });

/** Logs alice in once and returns the token file path. */
async function loggedIn(extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(dir, 'default.json');
  const client = cliClient();
  const source = createUserTokenSource(client, {
    store: storeAt(path, extra),
    login: headlessLogin(client, issuer.idp),
    grantType: 'authorization_code',
  });
  await source.getToken();
  issuer.proxy.reset();
  return path;
}

describe('stored user login', () => {
  it('first run logs in and stores the tokens; a second run reuses them with no browser and no request', async () => {
    const path = join(dir, 'default.json');
    const client = cliClient();
    const login = vi.fn(headlessLogin(client, issuer.idp));
    const first = createUserTokenSource(client, {
      store: storeAt(path),
      login,
      grantType: 'authorization_code',
    });
    const token = await first.getToken();
    expect(login).toHaveBeenCalledTimes(1);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      access_token: token,
      grant_type: 'authorization_code',
      issuer: issuer.idp.issuer,
      client_id: 'gatehouse-cli',
    });

    issuer.proxy.reset();
    const secondLogin = vi.fn(async () => {
      throw new Error('must not log in again');
    });
    const second = createUserTokenSource(cliClient(), { store: storeAt(path), login: secondLogin });
    expect(await second.getToken()).toBe(token);
    expect(secondLogin).not.toHaveBeenCalled();
    expect(issuer.proxy.requests).toEqual([]);
  });

  it('refreshes inside the buffer and saves the rotated refresh token; the old one is then dead', async () => {
    const path = await loggedIn();
    const before = JSON.parse(await readFile(path, 'utf8'));
    const clock = fixedClock(before.obtained_at * 1000);
    const source = createUserTokenSource(cliClient(), { store: storeAt(path), clock: clock.now });
    expect(await source.getToken()).toBe(before.access_token);
    clock.advance(541); // 600 s token: the buffer is its last 60 s
    const refreshed = await source.getToken();
    expect(refreshed).not.toBe(before.access_token);
    expect(decodeJwt(refreshed).sub).toBe('alice');
    expect(issuer.proxy.count('refresh_token')).toBe(1);

    const after = JSON.parse(await readFile(path, 'utf8'));
    expect(after.access_token).toBe(refreshed);
    expect(after.refresh_token).toBeTruthy();
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.id_token).toBeTruthy();
    await expect(refreshAccessToken(cliClient(), before.refresh_token)).rejects.toMatchObject({
      constructor: TokenRequestError,
      oauthError: 'invalid_grant',
    });
  });

  it('20 concurrent getToken() calls with an expiring token make exactly one refresh request', async () => {
    const path = await loggedIn();
    const { obtained_at } = JSON.parse(await readFile(path, 'utf8'));
    const clock = fixedClock((obtained_at + 590) * 1000);
    const source = createUserTokenSource(cliClient(), { store: storeAt(path), clock: clock.now });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(issuer.proxy.count('refresh_token')).toBe(1);
  });

  it('after a 401 (invalidate), the next getToken() refreshes even though the token has not expired', async () => {
    const path = await loggedIn();
    const source = createUserTokenSource(cliClient(), { store: storeAt(path) });
    const token = await source.getToken();
    source.invalidate(token);
    source.invalidate(token);
    const [a, b] = await Promise.all([source.getToken(), source.getToken()]);
    expect(a).not.toBe(token);
    expect(b).toBe(a);
    expect(issuer.proxy.count('refresh_token')).toBe(1);
  });

  it('non-interactive with nothing stored: LoginRequiredError telling the user to run `gatehouse login`', async () => {
    const source = createUserTokenSource(cliClient(), { store: storeAt(join(dir, 'none.json')) });
    const err = await source.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoginRequiredError);
    expect((err as Error).message).toMatch(
      /Not logged in \(no stored login\)\. To sign in, run `gatehouse login`\./,
    );
  });

  it('a refused refresh: non-interactive → LoginRequiredError; interactive → a new login', async () => {
    const path = await loggedIn();
    const doc = JSON.parse(await readFile(path, 'utf8'));
    doc.expires_at = doc.obtained_at; // expired
    doc.refresh_token = 'revoked-or-unknown-refresh-token';
    await writeFile(path, JSON.stringify(doc));

    const strict = createUserTokenSource(cliClient(), { store: storeAt(path) });
    const err = await strict.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoginRequiredError);
    expect((err as Error).message).toContain('the refresh was refused: invalid_grant');
    expect((err as Error).message).toContain('gatehouse login');
    expect((err as Error).message).not.toContain('revoked-or-unknown-refresh-token');

    const client = cliClient();
    const login = vi.fn(headlessLogin(client, issuer.idp, 'bob'));
    const interactive = createUserTokenSource(client, { store: storeAt(path), login });
    expect(decodeJwt(await interactive.getToken()).sub).toBe('bob');
    expect(login).toHaveBeenCalledTimes(1);
    expect(JSON.parse(await readFile(path, 'utf8')).refresh_token).not.toBe(
      'revoked-or-unknown-refresh-token',
    );
  });

  it('keeps using an unexpired token when the provider is unreachable for the refresh', async () => {
    const path = await loggedIn();
    const { access_token, obtained_at } = JSON.parse(await readFile(path, 'utf8'));
    const down = createOidcClient({
      issuer: issuer.idp.issuer,
      clientId: 'gatehouse-cli',
      fetch: async (url, init) => {
        if (String(url).endsWith('/token')) throw new TypeError('fetch failed');
        return fetch(url, init);
      },
    });
    const clock = fixedClock((obtained_at + 580) * 1000);
    const source = createUserTokenSource(down, { store: storeAt(path), clock: clock.now });
    expect(await source.getToken()).toBe(access_token);
    clock.advance(30); // now past expiry: no token to fall back on
    await expect(source.getToken()).rejects.toBeInstanceOf(NetworkError);
  });

  it('refreshes with an encrypted refresh token and stores the rotated one encrypted', async () => {
    const path = await loggedIn({ passphrase: 'pass-phrase' });
    const before = await readFile(path, 'utf8');
    expect(JSON.parse(before).refresh_token).toBeUndefined();
    const { obtained_at } = JSON.parse(before);
    const clock = fixedClock((obtained_at + 590) * 1000);
    const source = createUserTokenSource(cliClient(), {
      store: storeAt(path, { passphrase: 'pass-phrase' }),
      clock: clock.now,
    });
    await source.getToken();
    const after = JSON.parse(await readFile(path, 'utf8'));
    expect(after.refresh_token).toBeUndefined();
    expect(after.refresh_token_encrypted.ciphertext).not.toBe(
      JSON.parse(before).refresh_token_encrypted.ciphertext,
    );
    expect(issuer.proxy.count('refresh_token')).toBe(1);
  });

  it('a service answers 401 once: one refresh at the provider, one retry with the new token', async () => {
    const path = await loggedIn();
    const service = await startTestService({ issuer: issuer.idp.issuer, audience: issuer.idp.audience });
    try {
      const source = createUserTokenSource(cliClient(), { store: storeAt(path) });
      const stale = await source.getToken();
      service.rejectNext(1);
      const res = await createAuthenticatedFetch(source)(`${service.url}/v1/whoami`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ subject: 'alice', authType: 'oidc' });
      expect(issuer.proxy.count('refresh_token')).toBe(1);
      expect(service.hits.map((h) => h.status)).toEqual([401, 200]);
      expect(service.hits[0]!.authorization).toBe(`Bearer ${stale}`);
      expect(service.hits[1]!.authorization).not.toBe(`Bearer ${stale}`);
    } finally {
      await service.close();
    }
  });
});
