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
import { configFor, loginWithCode } from '../../dev-idp/test/helpers.js';
import { createApp } from '../src/app.js';

/** The dev IdP and the MCP server behind Gatehouse, on loopback; the resource is `<origin>/mcp`. */
export interface McpStack {
  idp: DevIdp;
  store: TelemetryStore;
  origin: string;
  resource: string;
  close(): Promise<void>;
}

/** The server's scopes, as its metadata lists them (clients first ask for what the 401 names). */
export const SCOPES_SUPPORTED = ['api:read', 'api:write', 'api:admin'];

export async function startMcpStack(): Promise<McpStack> {
  const idp = await startDevIdp();
  const dir = mkdtempSync(join(tmpdir(), 'mcp-server-'));
  const store = openTelemetryStore({ path: join(dir, 'telemetry.db') });
  // The resource identifier names the server's own URL, so the port must be known before the app.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resource = `${origin}/mcp`;
  // What GATEHOUSE_RESOURCE and GATEHOUSE_OIDC_CONFIG say in main.ts: the issuer has no audience, the
  // resource's identifier is (RFC 8707).
  const app = createApp({
    store,
    gatehouse: {
      env: false,
      resource: { resource, scopesSupported: SCOPES_SUPPORTED, resourceName: 'Gatehouse telemetry (MCP)' },
      oidc: { issuers: [{ issuer: idp.issuer }] },
      admins: ['alice'],
    },
    onUnexpectedError: (err) => console.error(err),
  });
  server.on('request', app);
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
  const service = idp.clients.service;
  const config = await configFor(idp, service.clientId, service.clientSecret);
  return (await oidc.clientCredentialsGrant(config, { scope, resource })).access_token;
}

/** Alice's token (authorization code + PKCE, headless login) for `resource`, with extra parameters. */
export async function userToken(
  idp: DevIdp,
  resource: string,
  scope: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const config = await configFor(idp, idp.clients.cli.clientId);
  const login = await loginWithCode(idp, config, idp.users.alice, { scope, extra: { resource, ...extra } });
  return login.tokens.access_token;
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
