/**
 * The MCP endpoint: the official SDK's server on its Streamable HTTP transport, stateless (a server and a
 * transport per request, JSON answers), with the tools bound to the identity Gatehouse established.
 */
import type { IncomingMessage } from 'node:http';
import { type AuthContext, type AuthenticationShortfall, checkAuthenticationContext } from '@gatehouse/core';
import type { Analytics, TelemetryStore } from '@gatehouse/example-telemetry-store';
import { authOf } from '@gatehouse/express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RequestHandler } from 'express';
import { type ToolDefinition, toolResult } from './tools.js';

/** Name and version the server reports in `initialize`. */
export const SERVER_INFO = { name: 'gatehouse-telemetry', version: '0.0.0' } as const;

export interface McpEndpointOptions {
  readonly store: TelemetryStore;
  readonly analytics: Analytics;
  readonly tools: readonly ToolDefinition[];
  readonly now: () => number;
}

/** An MCP server whose tools act as `auth`. */
export function createMcpServer(options: McpEndpointOptions, auth: AuthContext): McpServer {
  const server = new McpServer(SERVER_INFO);
  const context = { store: options.store, analytics: options.analytics, auth, now: options.now };
  for (const tool of options.tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: { readOnlyHint: tool.readOnly, destructiveHint: tool.name === 'apply_retention' },
      },
      (args: Record<string, unknown>) => {
        // The tool's own guarantee of its step-up (RFC 9470), whatever the HTTP layer checked before.
        const { acr, maxAgeSecs } = tool.requirement;
        const short = checkAuthenticationContext(
          auth.claims,
          { ...(acr ? { acr } : {}), ...(maxAgeSecs !== undefined ? { maxAge: maxAgeSecs } : {}) },
          options.now() / 1000,
        );
        if (short) return { isError: true, content: [{ type: 'text' as const, text: stepUpMessage(short) }] };
        return toolResult(() => tool.run(context, args));
      },
    );
  }
  return server;
}

/** What the tool result says of a login that is too weak or too old. */
function stepUpMessage(short: AuthenticationShortfall): string {
  return short.reason === 'acr'
    ? `this tool needs a login with one of ${(short.acrValues ?? []).join(', ')} (acr_values)`
    : `this tool needs a login less than ${short.maxAge} s old (max_age)`;
}

/** `POST /mcp`: one JSON-RPC message (or batch) through a fresh stateless server. */
export function mcpHandler(options: McpEndpointOptions): RequestHandler {
  return async (req, res, next) => {
    const server = createMcpServer(options, authOf(req));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      // The identity reaches the tools through the server built for it, not through the request.
      await transport.handleRequest(req as IncomingMessage, res, req.body);
    } catch (err) {
      next(err);
    }
  };
}
