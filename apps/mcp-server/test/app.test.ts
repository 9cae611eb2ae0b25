import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it('answers a request without a token with 401 and a Bearer challenge', async () => {
    const res = await fetch(stack.resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="mcp"/);
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

  it('the destructive tool needs api:admin, and a recent second-factor login', async () => {
    const noAdmin = await callToolRaw(stack.resource, writeToken, 'apply_retention', { olderThanDays: 30 });
    expect(noAdmin.status).toBe(403);
    expect(noAdmin.headers.get('www-authenticate')).toContain('scope="api:admin api:read"');

    const passwordOnly = await userToken(stack.idp, stack.resource, 'openid api:read api:admin');
    const refused = await (await connect(passwordOnly)).callTool({
      name: 'apply_retention',
      arguments: { olderThanDays: 30, dryRun: true },
    });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('urn:gatehouse:acr:mfa');

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

  it('is stateless: GET and DELETE on /mcp are 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(stack.resource, { method, headers: { authorization: `Bearer ${readToken}` } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
  });
});
