import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevIdp, startDevIdp } from '@gatehouse/dev-idp';
import { openTelemetryStore, type TelemetryStore } from '@gatehouse/example-telemetry-store';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as oidc from 'openid-client';
import { createApp } from '../src/app.js';

/** The dev IdP and the MCP server behind Gatehouse, on loopback; the resource is `<origin>/mcp`. */
export interface McpStack {
  idp: DevIdp;
  store: TelemetryStore;
  origin: string;
  resource: string;
  close(): Promise<void>;
}

export interface McpStackOptions {
  /**
   * Serve the server's protected resource metadata (RFC 9728) from the test, in front of the app, until
   * Gatehouse serves it itself (issue 21, phase 2: `resource` and `routes: true`). Lists `api:read` only,
   * so that the client's first authorization asks for the least and the write tool's 403 makes it step up.
   */
  metadataStandIn?: boolean;
}

export async function startMcpStack(options: McpStackOptions = {}): Promise<McpStack> {
  const idp = await startDevIdp();
  const dir = mkdtempSync(join(tmpdir(), 'mcp-server-'));
  const store = openTelemetryStore({ path: join(dir, 'telemetry.db') });
  // The resource identifier names the server's own URL, so the port must be known before the app.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resource = `${origin}/mcp`;
  const app = createApp({
    store,
    gatehouse: {
      env: false,
      oidc: { issuers: [{ issuer: idp.issuer, audience: resource }] },
      admins: ['alice'],
    },
    onUnexpectedError: (err) => console.error(err),
  });
  const metadata = JSON.stringify({
    resource,
    authorization_servers: [idp.issuer],
    scopes_supported: ['api:read'],
    bearer_methods_supported: ['header'],
  });
  server.on('request', (req, res) => {
    if (
      options.metadataStandIn &&
      req.method === 'GET' &&
      req.url === '/.well-known/oauth-protected-resource/mcp'
    ) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(metadata);
      return;
    }
    app(req, res);
  });
  return {
    idp,
    store,
    origin,
    resource,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      store.close();
      rmSync(dir, { recursive: true, force: true });
      await idp.close();
    },
  };
}

/** A client credentials token of the dev IdP's service client for `resource` with `scope`. */
export async function serviceToken(idp: DevIdp, resource: string, scope: string): Promise<string> {
  const config = await oidc.discovery(
    new URL(idp.issuer),
    idp.clients.service.clientId,
    undefined,
    oidc.ClientSecretBasic(idp.clients.service.clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
  return (await oidc.clientCredentialsGrant(config, { scope, resource })).access_token;
}

/** A user's token (authorization code + PKCE, headless login) with extra authorization parameters. */
export async function userToken(
  idp: DevIdp,
  resource: string,
  scope: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const config = await oidc.discovery(new URL(idp.issuer), idp.clients.cli.clientId, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:45123/callback',
    scope,
    resource,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  const callback = await idp.loginHeadless(url.href, idp.users.alice);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: verifier });
  return tokens.access_token;
}

/** The official SDK client, connected with a fixed bearer token. */
export async function connectWithToken(resource: string, token: string): Promise<Client> {
  const client = new Client({ name: 'gatehouse-test', version: '0.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(resource), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** A raw JSON-RPC `tools/call` over HTTP, to read the status and challenge the SDK client hides. */
export function callToolRaw(resource: string, token: string, name: string, args: Record<string, unknown>) {
  return fetch(resource, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
}
