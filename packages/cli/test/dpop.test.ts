import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatehouse, NodeRequestView } from '@gatehouse/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dpopKeyPath } from '../../client/src/index.js';
import { ensureBuilt } from '../../client/test/helpers/build.js';
import { startTestIssuer, type TestIssuer } from '../../client/test/helpers/idp.js';
import { createSandbox, runCli, type Sandbox } from './helpers/cli.js';

// `--dpop` on login, token, exec and whoami, against an API that requires DPoP-bound tokens from the
// dev IdP (through the Gatehouse pipeline).
let issuer: TestIssuer;
let sandbox: Sandbox;
let api: { url: string; close(): Promise<void> };

async function startApi(): Promise<{ url: string; close(): Promise<void> }> {
  const gate = createGatehouse({
    oidc: { issuers: [{ issuer: issuer.idp.issuer, audience: issuer.idp.audience, dpop: 'required' }] },
  });
  const route = gate.route();
  const server: Server = createServer(async (req, res) => {
    const decision = await gate.handle(new NodeRequestView(req), route);
    if (decision.admitted) {
      res.writeHead(200, { 'content-type': 'application/json', ...decision.headers });
      res.end(JSON.stringify({ subject: decision.auth?.subject, authType: decision.auth?.authType }));
    } else res.writeHead(decision.status, decision.headers).end(JSON.stringify(decision.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  await ensureBuilt();
  issuer = await startTestIssuer();
  api = await startApi();
});
afterAll(async () => {
  await sandbox?.cleanup();
  await api?.close();
  await issuer?.close();
});
beforeEach(async () => {
  await sandbox?.cleanup();
  sandbox = await createSandbox();
});

const serviceEnv = () => ({
  ...sandbox.env,
  GATEHOUSE_OIDC_GRANT_TYPE: 'client_credentials',
  GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer,
  GATEHOUSE_OIDC_CLIENT_ID: issuer.idp.clients.service.clientId,
  GATEHOUSE_OIDC_CLIENT_SECRET: issuer.idp.clients.service.clientSecret,
  GATEHOUSE_OIDC_SCOPE: 'api:read',
});

describe('--dpop', () => {
  it('login gets a DPoP-bound token and keeps its key 0600 beside the token file; logout deletes both', async () => {
    const login = await runCli(['login', '--dpop'], serviceEnv());
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(/DPoP-bound to the key [\w-]{43}/);
    const keyFile = dpopKeyPath(sandbox.tokenFile());
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const who = await runCli(['whoami', '--dpop', '--url', api.url], serviceEnv());
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toEqual({
      subject: issuer.idp.clients.service.clientId,
      authType: 'oidc',
    });
    // The same stored token without proofs is refused.
    const bearer = await runCli(['whoami', '--url', api.url], serviceEnv());
    expect(bearer.code).not.toBe(0);
    expect(bearer.stderr).toContain('401');
    const logout = await runCli(['logout'], serviceEnv());
    expect(logout.code, logout.stderr).toBe(0);
    expect(existsSync(keyFile)).toBe(false);
  });

  it('token prints the token and a proof for one request, which works once', async () => {
    const url = `${api.url}/v1/whoami`;
    const out = await runCli(['token', '--dpop', '--proof-url', url], serviceEnv());
    expect(out.code, out.stderr).toBe(0);
    const [token, proof] = out.stdout.trim().split('\n');
    const call = () => fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof! } });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(401);
    const misuse = await runCli(['token', '--proof-url', url], serviceEnv());
    expect(misuse.code).not.toBe(0);
    expect(misuse.stderr).toContain('--proof-url needs --dpop');
  });

  it('exec hands the token and one proof to the command, never the key', async () => {
    const url = `${api.url}/v1/whoami`;
    const script = [
      `const r = await fetch(${JSON.stringify(url)}, { headers: { authorization: 'DPoP ' + process.env.GATEHOUSE_ACCESS_TOKEN, dpop: process.env.GATEHOUSE_DPOP_PROOF } });`,
      "const keys = Object.keys(process.env).filter((k) => /KEY/.test(k) && k !== 'GATEHOUSE_OIDC_CLIENT_ID');",
      'process.exit(r.status === 200 && keys.length === 0 ? 0 : 3);',
    ].join(' ');
    const run = await runCli(
      ['exec', '--dpop', '--proof-url', url, '--', process.execPath, '--input-type=module', '-e', script],
      serviceEnv(),
    );
    expect(run.code, run.stderr).toBe(0);
  });
});
