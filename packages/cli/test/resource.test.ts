import {
  createSandbox,
  ensureBuilt,
  loginHeadlessly,
  readTokenFile,
  runCli,
  type Sandbox,
  startTestIssuer,
  type TestIssuer,
  writeConfig,
} from '@gatehouse/testkit';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureResource, startFixtureResource } from '../../client/test/helpers/protected-resource.js';

// `--resource`: the issuer and the resource indicator come from the resource's metadata (RFC 9728, 8707).
let issuer: TestIssuer;
let api: FixtureResource;
let sandbox: Sandbox;
let env: Record<string, string>;
let resource: string;
beforeAll(async () => {
  await ensureBuilt();
  issuer = await startTestIssuer();
  api = await startFixtureResource();
  resource = `${api.origin}/mcp`;
  sandbox = await createSandbox();
  // Only the client: no issuer anywhere.
  env = { ...sandbox.env, GATEHOUSE_OIDC_CLIENT_ID: issuer.idp.clients.cli.clientId };
});
afterAll(async () => {
  await sandbox?.cleanup();
  await api?.close();
  await issuer?.close();
});
afterEach(() => api.reset());

function publish(metadata: Record<string, unknown>) {
  api.documents.set('/meta/mcp.json', { resource, ...metadata });
  api.challengeMetadata = `${api.origin}/meta/mcp.json`;
}

describe('gatehouse login --resource', () => {
  it("logs in at the issuer the resource's 401 points to, for tokens whose aud is the resource", async () => {
    publish({
      resource_name: 'Telemetry MCP',
      authorization_servers: [issuer.idp.issuer],
      scopes_supported: ['api:read'],
    });
    const result = await loginHeadlessly(issuer, env, ['--resource', resource]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Telemetry MCP: tokens from ${issuer.idp.issuer}`);
    // The probe without credentials, then the metadata its challenge named.
    expect(api.requested).toEqual(['/mcp', '/meta/mcp.json']);

    const doc = await readTokenFile(sandbox.tokenFile());
    expect(doc).toMatchObject({ issuer: issuer.idp.issuer, audience: resource });
    const claims = decodeJwt(doc.access_token);
    expect(claims).toMatchObject({ aud: resource, sub: 'alice' });
    expect(String(claims.scope).split(' ')).toContain('api:read');
  });

  it('token --resource then uses the stored login without asking the resource again', async () => {
    const result = await runCli(['token', '--resource', resource], env);
    expect(result.code).toBe(0);
    expect(decodeJwt(result.stdout.trim()).aud).toBe(resource);
    expect(api.requested).toEqual([]);
  });

  it('a profile can keep the resource', async () => {
    await writeConfig(sandbox, {
      profiles: { mcp: { resource, clientId: issuer.idp.clients.cli.clientId } },
    });
    publish({ authorization_servers: [issuer.idp.issuer] });
    const login = await loginHeadlessly(issuer, sandbox.env, ['--profile', 'mcp']);
    expect(login.code).toBe(0);
    const token = await runCli(['token', '--profile', 'mcp'], sandbox.env);
    expect(decodeJwt(token.stdout.trim()).aud).toBe(resource);
  });

  it('with --issuer, the resource is only the audience (its metadata is not read)', async () => {
    const result = await loginHeadlessly(issuer, { ...env, GATEHOUSE_OIDC_ISSUER: issuer.idp.issuer }, [
      '--resource',
      resource,
      '--token-file',
      `${sandbox.home}/direct.json`,
    ]);
    expect(result.code).toBe(0);
    expect(api.requested).toEqual([]);
    expect(decodeJwt((await readTokenFile(`${sandbox.home}/direct.json`)).access_token).aud).toBe(resource);
  });

  it('fails with the reason when the metadata names no authorization server, or another resource', async () => {
    publish({});
    const none = await runCli(['login', '--no-browser', '--resource', resource], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/names no authorization_servers/);

    api.documents.set('/meta/mcp.json', { resource: `${api.origin}/elsewhere`, authorization_servers: [] });
    const other = await runCli(['login', '--no-browser', '--resource', resource], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/not this resource/);
  });

  it('refuses a malformed resource, and an --audience that names another target (usage, exit 2)', async () => {
    const bad = await runCli(['login', '--resource', 'not a url'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--resource must be an absolute http(s) URL');
    const both = await runCli(['login', '--resource', resource, '--audience', 'urn:other'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('name different targets');
  });

  it('--help shows the option and an example', async () => {
    const help = await runCli(['login', '--help'], env);
    expect(help.stdout).toContain('--resource <url>');
    expect(help.stdout).toContain('gatehouse login --resource https://mcp.example.com/mcp');
  });
});
