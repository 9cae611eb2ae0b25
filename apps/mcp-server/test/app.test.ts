import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import {
  callToolRaw,
  connectWithToken,
  type McpStack,
  serviceToken,
  startMcpStack,
  userToken,
} from './helpers.js';

let stack: McpStack;
let readToken: string;
let writeToken: string;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startMcpStack();
  readToken = await serviceToken(stack.idp, stack.resource, 'api:read');
  writeToken = await serviceToken(stack.idp, stack.resource, 'api:read api:write');
});
afterAll(async () => {
  for (const client of clients) await client.close();
  await stack?.close();
});

async function connect(token: string): Promise<Client> {
  const client = await connectWithToken(stack.resource, token);
  clients.push(client);
  return client;
}

/** The text of a tool result's first content item. */
const textOf = (result: Record<string, unknown>): string =>
  (result.content as { type: string; text: string }[] | undefined)?.[0]?.text ?? '';

describe('the MCP endpoint behind Gatehouse', () => {
  it('answers a request without a token with 401 and a Bearer challenge naming the metadata', async () => {
    const res = await fetch(stack.resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="mcp", scope="api:read", resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
  });

  it('refuses a token issued for another resource (RFC 8707 audience)', async () => {
    const other = await serviceToken(stack.idp, stack.idp.audience, 'api:read');
    const res = await callToolRaw(stack.resource, other, 'list_processes', {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('lets the official client list and call the read tools with api:read', async () => {
    const client = await connect(readToken);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'apply_retention',
      'list_processes',
      'query_logs',
      'record_note',
      'summarize_metrics',
    ]);
    expect(tools.find((t) => t.name === 'query_logs')?.annotations?.readOnlyHint).toBe(true);
    const listed = await client.callTool({ name: 'list_processes', arguments: { limit: 5 } });
    expect(listed.isError).toBeFalsy();
    expect(JSON.parse(textOf(listed))).toMatchObject({
      count: expect.any(Number),
      processes: expect.any(Array),
    });
  });

  it('answers a write tool called without api:write with 403 insufficient_scope naming the scope (SEP-835)', async () => {
    const res = await callToolRaw(stack.resource, readToken, 'record_note', {
      processId: 'p-1',
      message: 'hi',
    });
    expect(res.status).toBe(403);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    // Every scope the call needs, not only the missing one: a client that asks for exactly these is let in.
    expect(challenge).toContain('scope="api:read api:write"');
    expect(await res.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('with api:write the note is stored as the caller, and the read tools see it', async () => {
    const client = await connect(writeToken);
    const recorded = await client.callTool({
      name: 'record_note',
      arguments: { processId: 'mcp-proc', message: 'deployed 1.2.3', level: 'warn' },
    });
    expect(recorded.isError).toBeFalsy();
    expect(JSON.parse(textOf(recorded))).toMatchObject({ accepted: { logs: 1 } });
    const logs = await client.callTool({ name: 'query_logs', arguments: { processId: 'mcp-proc' } });
    const { entries } = JSON.parse(textOf(logs)) as { entries: { message: string; sender: unknown }[] };
    expect(entries.map((e) => e.message)).toContain('deployed 1.2.3');
  });

  it('returns invalid tool input as a tool error, not a server error', async () => {
    const client = await connect(readToken);
    const result = await client.callTool({ name: 'query_logs', arguments: { from: 'yesterday-ish' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/invalid input: "from"/);
  });

  it('the destructive tool needs api:admin, and a recent second-factor login (401 step-up)', async () => {
    // The step-up is checked first, and its challenge names the scopes too: one new authorization meets both.
    const service = await callToolRaw(stack.resource, writeToken, 'apply_retention', { olderThanDays: 30 });
    expect(service.status).toBe(401);
    expect(service.headers.get('www-authenticate')).toMatch(
      /error="insufficient_user_authentication".*scope="api:admin api:read"/,
    );
    // A second-factor login without api:admin: 403 naming every scope the call needs.
    const noAdmin = await userToken(stack.idp, stack.resource, 'openid api:read', {
      acr_values: 'urn:gatehouse:acr:mfa',
    });
    const forbidden = await callToolRaw(stack.resource, noAdmin, 'apply_retention', { olderThanDays: 30 });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="api:admin api:read"');

    // A password-only login: Gatehouse's step-up (RFC 9470) at the HTTP level, before the tool runs.
    const passwordOnly = await userToken(stack.idp, stack.resource, 'openid api:read api:admin');
    const refused = await callToolRaw(stack.resource, passwordOnly, 'apply_retention', { olderThanDays: 30 });
    expect(refused.status).toBe(401);
    const challenge = refused.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_user_authentication"');
    expect(challenge).toContain('acr_values="urn:gatehouse:acr:mfa"');
    expect(challenge).toContain('max_age="300"');
    expect(challenge).toContain('scope="api:admin api:read"');
    expect(challenge).toContain(
      `resource_metadata="${stack.origin}/.well-known/oauth-protected-resource/mcp"`,
    );
    expect(await refused.json()).toMatchObject({ error: 'insufficient_user_authentication' });

    const stepped = await userToken(stack.idp, stack.resource, 'openid api:read api:admin', {
      acr_values: 'urn:gatehouse:acr:mfa',
    });
    const done = await (await connect(stepped)).callTool({
      name: 'apply_retention',
      arguments: { olderThanDays: 30, dryRun: true },
    });
    expect(done.isError).toBeFalsy();
    expect(JSON.parse(textOf(done))).toMatchObject({ dryRun: true });
  });

  it('asks a batch calling several tools for all they need at once', async () => {
    const call = (id: number, name: string, args: Record<string, unknown>) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name, arguments: args },
    });
    const batch = await fetch(stack.resource, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${writeToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify([
        call(1, 'record_note', { processId: 'p', message: 'm' }),
        call(2, 'apply_retention', { olderThanDays: 30 }),
      ]),
    });
    expect(batch.status).toBe(401);
    expect(batch.headers.get('www-authenticate')).toMatch(
      /error="insufficient_user_authentication".*scope="api:admin api:read api:write", acr_values="urn:gatehouse:acr:mfa", max_age="300"/,
    );
  });

  it('refuses to start without a resource identifier, naming GATEHOUSE_RESOURCE', () => {
    const issuers = [{ issuer: stack.idp.issuer, audience: stack.resource }];
    expect(() => createApp({ store: stack.store, gatehouse: { env: false, oidc: { issuers } } })).toThrow(
      /an MCP server needs its resource identifier \(the URL of \/mcp\): set GATEHOUSE_RESOURCE/,
    );
  });

  it('is stateless: GET and DELETE on /mcp are 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(stack.resource, { method, headers: { authorization: `Bearer ${readToken}` } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
  });
});
