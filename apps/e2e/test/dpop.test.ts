/**
 * Sender-constrained tokens through the built apps as processes: GATEHOUSE_OIDC_CONFIG with `"dpop":
 * "required"` and GATEHOUSE_PUBLIC_URL, DPoP-bound tokens from the real dev IdP (in process), proofs made
 * by @gatehouse/client.
 */
import { createDpopProof, type DpopKey, generateDpopKey } from '@gatehouse/client';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, startApp } from './helpers/processes.js';

const APPS = ['ingestion', 'analytics', 'analytics-koa'] as const;
const PUBLIC_URL = 'https://api.example.com/telemetry';

let idp: DevIdp;
let key: DpopKey;
let bound: string;
let unbound: string;
const apps: RunningProcess[] = [];

beforeAll(async () => {
  idp = await startDevIdp();
  key = await generateDpopKey();
  const config = await oidc.discovery(
    new URL(idp.issuer),
    idp.clients.service.clientId,
    idp.clients.service.clientSecret,
    undefined,
    { execute: [oidc.allowInsecureRequests] },
  );
  bound = (
    await oidc.clientCredentialsGrant(
      config,
      { scope: 'api:read' },
      { DPoP: oidc.getDPoPHandle(config, key) },
    )
  ).access_token;
  unbound = (await oidc.clientCredentialsGrant(config, { scope: 'api:read' })).access_token;
  const env = {
    GATEHOUSE_OIDC_CONFIG: JSON.stringify({
      issuers: [{ issuer: idp.issuer, audience: idp.audience, dpop: 'required' }],
    }),
    GATEHOUSE_PUBLIC_URL: PUBLIC_URL,
  };
  apps.push(...(await Promise.all(APPS.map((name) => startApp(name, env)))));
}, 90_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await idp?.close();
});

describe.each(APPS.map((name, i) => ({ name, i })))('$name with DPoP required', ({ i }) => {
  const whoami = (headers: Record<string, string>) => fetch(`${apps[i]!.url}/v1/whoami`, { headers });
  const proof = (url = `${PUBLIC_URL}/v1/whoami`) =>
    createDpopProof(key, { method: 'GET', url, accessToken: bound });

  it('accepts a DPoP-bound token with a proof naming the public URL, once', async () => {
    const dpop = await proof();
    const res = await whoami({ authorization: `DPoP ${bound}`, dpop });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ subject: idp.clients.service.clientId, authType: 'oidc' });
    const replay = await whoami({ authorization: `DPoP ${bound}`, dpop });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toMatch(/DPoP algs="[^"]+", error="invalid_dpop_proof"/);
  });

  it('refuses a proof naming the address the app listens on instead of its public URL', async () => {
    const res = await whoami({
      authorization: `DPoP ${bound}`,
      dpop: await proof(`${apps[i]!.url}/v1/whoami`),
    });
    expect(res.status).toBe(401);
  });

  it('refuses the bound token as Bearer, and an unbound token', async () => {
    for (const authorization of [`Bearer ${bound}`, `Bearer ${unbound}`]) {
      const res = await whoami({ authorization });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/DPoP algs="[^"]+", error="invalid_token"/);
    }
  });
});
