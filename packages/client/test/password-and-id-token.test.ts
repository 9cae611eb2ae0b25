import { join } from 'node:path';
import { startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createFileTokenStore,
  createOidcClient,
  createUserTokenSource,
  IdTokenUnavailableError,
  isExpiring,
  loginWithPassword,
  presentedToken,
  TokenRequestError,
} from '../src/index.js';
import { tempDir } from './helpers/fixtures.js';
import { headlessLogin } from './helpers/login.js';

const ID_TOKEN_TTL_SECS = 3;
let issuer: TestIssuer;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  issuer = await startTestIssuer({ passwordGrant: true, idTokenTtlSecs: ID_TOKEN_TTL_SECS });
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

const client = (secret?: string) =>
  createOidcClient({
    issuer: issuer.idp.issuer,
    clientId: secret ? issuer.idp.clients.web.clientId : issuer.idp.clients.cli.clientId,
    ...(secret ? { clientSecret: secret } : {}),
    scope: 'openid email offline_access api:read',
    fetch: issuer.proxy.fetch,
  });

describe('loginWithPassword (RFC 6749 §4.3, legacy providers)', () => {
  it('gets a login like any other: access, refresh and ID tokens', async () => {
    const tokens = await loginWithPassword(client(), { username: 'alice', password: 'alice' });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ sub: 'alice', scope: 'api:read' });
    expect(tokens.refreshToken).toBeTruthy();
    expect(decodeJwt(tokens.idToken!)).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
    expect(issuer.proxy.count('password')).toBe(1);
  });

  it('a confidential client authenticates with its secret', async () => {
    const tokens = await loginWithPassword(client(issuer.idp.clients.web.clientSecret), {
      username: 'bob',
      password: 'bob',
    });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ sub: 'bob', client_id: 'gatehouse-web' });
    const err = await loginWithPassword(client('not-the-secret'), { username: 'bob', password: 'bob' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'token_request_failed', oauthError: 'invalid_client' });
  });

  it('a wrong password is invalid_grant, and neither the message nor the cause carries it', async () => {
    const err = await loginWithPassword(client(), { username: 'alice', password: 'wrong-pass-4711' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TokenRequestError);
    expect(err).toMatchObject({ grantType: 'password', oauthError: 'invalid_grant' });
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('wrong-pass-4711');
    expect(String((err as Error).cause)).not.toContain('wrong-pass-4711');
  });

  it('refuses an empty user name or password before sending anything', async () => {
    await expect(loginWithPassword(client(), { username: '', password: 'x' })).rejects.toMatchObject({
      code: 'invalid_options',
      option: 'username',
    });
    await expect(loginWithPassword(client(), { username: 'alice', password: '' })).rejects.toMatchObject({
      option: 'password',
    });
    expect(issuer.proxy.count('password')).toBe(0);
  });

  it('is stored and refreshed like every other login', async () => {
    const path = join(dir, 'password.json');
    const c = client();
    const store = createFileTokenStore({ path, onWarning: () => {} });
    const source = createUserTokenSource(c, {
      store,
      grantType: 'password',
      login: () => loginWithPassword(c, { username: 'alice', password: 'alice' }),
    });
    const first = await source.login();
    expect(first.grantType).toBe('password');
    source.invalidate(first.accessToken);
    const renewed = await source.getToken();
    expect(renewed).not.toBe(first.accessToken);
    expect(issuer.proxy.count('refresh_token')).toBe(1);
  });
});

describe("tokenType 'id_token': the ID token is presented and kept fresh", () => {
  it('getToken() returns the ID token; it is refreshed before it expires, not the access token', async () => {
    const c = client();
    const source = createUserTokenSource(c, {
      store: createFileTokenStore({ path: join(dir, 'id.json'), onWarning: () => {} }),
      login: headlessLogin(c, issuer.idp),
      tokenType: 'id_token',
    });
    const first = await source.getToken();
    const claims = decodeJwt(first);
    expect(claims).toMatchObject({ sub: 'alice', aud: 'gatehouse-cli' });
    expect(claims.exp! - claims.iat!).toBe(ID_TOKEN_TTL_SECS);
    expect(await source.getToken()).toBe(first);

    // The access token has 600 s left; the ID token is inside its own buffer within 3 s.
    await new Promise((resolve) => setTimeout(resolve, ID_TOKEN_TTL_SECS * 1000));
    const second = await source.getToken();
    expect(second).not.toBe(first);
    expect(decodeJwt(second).sub).toBe('alice');
    expect(issuer.proxy.count('refresh_token')).toBe(1);
    const set = await source.getTokenSet();
    expect(presentedToken(set, 'id_token')?.token).toBe(second);
    expect(isExpiring(set, Math.floor(Date.now() / 1000), undefined, 'id_token')).toBe(false);
  });

  it('a login without the openid scope has no ID token: IdTokenUnavailableError', async () => {
    const c = createOidcClient({
      issuer: issuer.idp.issuer,
      clientId: issuer.idp.clients.cli.clientId,
      scope: 'offline_access api:read',
    });
    const source = createUserTokenSource(c, {
      store: createFileTokenStore({ path: join(dir, 'no-id.json'), onWarning: () => {} }),
      login: () => loginWithPassword(c, { username: 'alice', password: 'alice' }),
      tokenType: 'id_token',
    });
    await expect(source.getToken()).rejects.toBeInstanceOf(IdTokenUnavailableError);
  });
});
