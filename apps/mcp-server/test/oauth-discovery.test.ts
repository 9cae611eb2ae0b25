import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpStack, SCOPES_SUPPORTED, startMcpStack } from './helpers.js';
import { HeadlessOAuthProvider } from './oauth-client.js';

// The discovery a real MCP client does, with the official SDK client and its OAuth support, against the
// MCP server behind Gatehouse (which serves the metadata itself) and the dev IdP: 401 → protected
// resource metadata → authorization server metadata → dynamic registration → authorization code + PKCE
// (login done headlessly) → a token for the resource → tools → a 403 scope step-up answered by
// authorizing again with the named scopes → a 401 step-up of the login (RFC 9470) answered the same way,
// with the challenge's acr_values and max_age.
let stack: McpStack;
beforeAll(async () => {
  stack = await startMcpStack();
});
afterAll(() => stack?.close());

/** Runs `action`; when the SDK stops for a browser authorization, finishes it with the code and retries. */
async function authorizing<T>(
  provider: HeadlessOAuthProvider,
  transport: () => StreamableHTTPClientTransport,
  action: (transport: StreamableHTTPClientTransport) => Promise<T>,
): Promise<T> {
  const first = transport();
  try {
    return await action(first);
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
    await first.finishAuth(provider.takeCode());
    return action(transport());
  }
}

describe('an MCP client discovers how to log in, and steps up its scope', () => {
  it('walks 401 → metadata → registration → PKCE login → tools, then answers a 403 and a step-up 401 by authorizing again', async () => {
    const provider = new HeadlessOAuthProvider(stack.idp, stack.idp.users.alice);
    const newTransport = () =>
      new StreamableHTTPClientTransport(new URL(stack.resource), {
        authProvider: provider,
        fetch: provider.fetch,
      });
    const client = new Client({ name: 'e2e', version: '0.0.0' });

    await authorizing(provider, newTransport, (transport) => client.connect(transport));

    // Dynamic registration at the dev IdP, once.
    expect(provider.registrations).toHaveLength(1);
    expect(String(provider.registrations[0]!.client_id)).toMatch(/^dcr-/);
    // The authorization request: PKCE S256, the resource (RFC 8707), the scopes the resource named.
    const [authorization] = provider.authorizationUrls;
    expect(authorization!.origin).toBe(new URL(stack.idp.issuer).origin);
    expect(authorization!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization!.searchParams.get('resource')).toBe(stack.resource);
    expect(authorization!.searchParams.get('scope')).toBe('api:read');
    // The token is for this server alone.
    const first = decodeJwt(provider.tokens()!.access_token);
    expect(first).toMatchObject({ aud: stack.resource, sub: 'alice', scope: 'api:read' });

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('record_note');
    const listed = await client.callTool({ name: 'list_processes', arguments: {} });
    expect(listed.isError).toBeFalsy();

    // record_note needs api:write: 403 insufficient_scope, scope="api:read api:write" → authorize again.
    const note = { name: 'record_note', arguments: { processId: 'e2e', message: 'stepped up' } };
    const connected = client.transport as StreamableHTTPClientTransport;
    await expect(client.callTool(note)).rejects.toBeInstanceOf(UnauthorizedError);
    await connected.finishAuth(provider.takeCode());
    const recorded = await client.callTool(note);
    expect(recorded.isError).toBeFalsy();
    expect(provider.authorizationUrls).toHaveLength(2);
    expect(provider.authorizationUrls[1]!.searchParams.get('scope')).toBe('api:read api:write');
    expect(provider.registrations).toHaveLength(1); // the same registration
    expect(decodeJwt(provider.tokens()!.access_token).scope).toBe('api:read api:write');

    // apply_retention needs api:admin and a second-factor login: 401 insufficient_user_authentication with
    // acr_values, max_age and scope="api:admin api:read" → authorize again, asking for that login.
    const purge = { name: 'apply_retention', arguments: { olderThanDays: 3650, dryRun: true } };
    await expect(client.callTool(purge)).rejects.toBeInstanceOf(UnauthorizedError);
    await connected.finishAuth(provider.takeCode());
    const purged = await client.callTool(purge);
    expect(purged.isError).toBeFalsy();
    const third = provider.authorizationUrls[2]!;
    expect(third.searchParams.get('scope')).toBe('api:admin api:read');
    expect(third.searchParams.get('acr_values')).toBe('urn:gatehouse:acr:mfa');
    expect(third.searchParams.get('max_age')).toBe('300');
    expect(decodeJwt(provider.tokens()!.access_token)).toMatchObject({
      aud: stack.resource,
      acr: 'urn:gatehouse:acr:mfa',
      scope: 'api:admin api:read',
    });
    expect(provider.registrations).toHaveLength(1);
    await client.close();
  });
});

describe('what the server tells a client that has no token yet', () => {
  it('a 401 naming the metadata and the scope, and the metadata naming the issuer', async () => {
    const res = await fetch(stack.resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'evil.example' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    const metadataUrl = `${stack.origin}/.well-known/oauth-protected-resource/mcp`;
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="mcp", scope="api:read", resource_metadata="${metadataUrl}", ` +
        `DPoP algs="${(await metadataOf(metadataUrl)).dpop_signing_alg_values_supported.join(' ')}", resource_metadata="${metadataUrl}"`,
    );
    expect(await metadataOf(metadataUrl)).toMatchObject({
      resource: stack.resource,
      authorization_servers: [stack.idp.issuer],
      scopes_supported: SCOPES_SUPPORTED,
      bearer_methods_supported: ['header'],
    });
  });
});

async function metadataOf(url: string): Promise<{ dpop_signing_alg_values_supported: string[] }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as { dpop_signing_alg_values_supported: string[] };
}
