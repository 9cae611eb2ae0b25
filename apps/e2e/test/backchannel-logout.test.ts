/**
 * Back-channel logout end to end (OpenID Connect Back-Channel Logout 1.0; contract, "Many instances, one
 * truth"): the dev IdP with back-channel logout, a relying party registered with the ingestion app's
 * `/v1/backchannel-logout`, and the three example apps as real processes on one real redis-server. A
 * person logs out at the IdP; every instance refuses that person's access tokens within 1 s (cached ones
 * too), other people are untouched, and a later login works.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOidcClient, loginWithAuthorizationCode } from '@gatehouse/client';
import { type DevIdp, type DevIdpSession, LOOPBACK_REDIRECT_URI, startDevIdp } from '@gatehouse/dev-idp';
import { freePort, hasRedis, RedisServer, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, startApp } from './helpers/processes.js';
import { AUDIENCE } from './helpers/tokens.js';

const PORTAL = 'telemetry-portal';
const ADMIN = 'admin-key-0001';

async function login(idp: DevIdp, session: DevIdpSession, username: 'alice' | 'bob'): Promise<string> {
  const client = createOidcClient({ issuer: idp.issuer, clientId: PORTAL, audience: AUDIENCE });
  const tokens = await loginWithAuthorizationCode(client, {
    port: 0,
    scope: 'openid api:read',
    openBrowser: async (url) => {
      await session.login(url, { username, password: username }, { deliver: true });
    },
    timeoutSecs: 30,
  });
  return tokens.accessToken;
}

const iatOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { iat: number }).iat;

describe.skipIf(!hasRedis)('back-channel logout: the dev IdP, three app instances, one redis-server', () => {
  let redis: RedisServer;
  let idp: DevIdp;
  let dataDir: string;
  const apps: RunningProcess[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    dataDir = mkdtempSync(join(tmpdir(), 'logout-'));
    // The IdP must know where to send logout tokens before the app listens there.
    const ingestionPort = await freePort();
    idp = await startDevIdp({
      clients: [
        {
          client_id: PORTAL,
          client_name: 'Telemetry portal (back-channel logout to the ingestion service)',
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [LOOPBACK_REDIRECT_URI],
          backchannel_logout_uri: `http://127.0.0.1:${ingestionPort}/v1/backchannel-logout`,
          backchannel_logout_session_required: true,
        },
      ],
    });
    const env = {
      TELEMETRY_DATA_DIR: dataDir,
      GATEHOUSE_API_KEYS: JSON.stringify([{ name: 'admin', key: ADMIN }]),
      GATEHOUSE_ADMINS: '["admin"]',
      // Logout tokens name the relying party's client id, not the API's audience.
      GATEHOUSE_OIDC_CONFIG: JSON.stringify({
        issuers: [{ issuer: idp.issuer, audience: AUDIENCE, backchannel_logout_audience: PORTAL }],
      }),
      GATEHOUSE_REDIS_URL: redis.url,
    };
    // ingestion first: it creates the database the analytics apps open read-only.
    apps.push(await startApp('ingestion', { ...env, PORT: String(ingestionPort) }));
    apps.push(...(await Promise.all([startApp('analytics', env), startApp('analytics-koa', env)])));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await idp?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const whoami = (app: RunningProcess, token: string) =>
    fetch(`${app.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
  const statuses = async (token: string) =>
    Promise.all(apps.map(async (app) => (await whoami(app, token)).status));

  it("a logout at the IdP ends that person's access on every instance within 1 s, and a later login works", async () => {
    const aliceSession = idp.session();
    const alice = await login(idp, aliceSession, 'alice');
    const bob = await login(idp, idp.session(), 'bob');
    // Twice: the second request finds the token in each instance's validated-token cache.
    expect(await statuses(alice)).toEqual([200, 200, 200]);
    expect(await statuses(alice)).toEqual([200, 200, 200]);
    expect(await statuses(bob)).toEqual([200, 200, 200]);

    // The logout token revokes tokens issued before its own iat (whole seconds): log out a second later.
    while (Date.now() / 1000 < iatOf(alice) + 1) await new Promise((r) => setTimeout(r, 20));
    const deliveries = await aliceSession.logout();
    // The IdP waits for the ingestion app's 200, which it gives once the revocation is stored.
    expect(deliveries).toEqual([{ clientId: PORTAL, delivered: true }]);
    const took = await waitFor(async () => (await statuses(alice)).every((s) => s === 401), 1000);
    expect(took).toBeLessThan(1000);
    for (const app of apps) {
      const refused = await whoami(app, alice);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    expect(await statuses(bob)).toEqual([200, 200, 200]);

    const listed = await fetch(`${apps[2]!.url}/v1/admin/revocations`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(await listed.json()).toContainEqual(
      expect.objectContaining({
        kind: 'subject',
        subject: 'alice',
        issuer: idp.issuer,
        source: 'backchannel_logout',
      }),
    );

    // Logged out, not locked out: a new login's tokens pass everywhere.
    const again = await login(idp, idp.session(), 'alice');
    expect(await statuses(again)).toEqual([200, 200, 200]);
    expect(await statuses(alice)).toEqual([401, 401, 401]);
  }, 60_000);
});
