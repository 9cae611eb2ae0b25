/**
 * The MCP endpoint: the official SDK's server on its Streamable HTTP transport, stateless (a server and a
 * transport per request, JSON answers), with the tools bound to the identity Gatehouse established.
 */
import type { IncomingMessage } from 'node:http';
import type { AuthContext } from '@gatehouse/core';
import {
  type Analytics,
  type Permitted,
  readableSenders,
  type TelemetryStore,
} from '@gatehouse/example-telemetry-store';
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
  /** The gate's list filtering for an identity (`gate.permitted(auth, 'read', resources)`). */
  readonly permitted: (auth: AuthContext) => Permitted;
}

/** An MCP server whose tools act as `auth`. */
export function createMcpServer(options: McpEndpointOptions, auth: AuthContext): McpServer {
  const server = new McpServer(SERVER_INFO);
  const permitted = options.permitted(auth);
  const context = {
    store: options.store,
    analytics: options.analytics,
    auth,
    readable: (type: string) => readableSenders(options.store, type, permitted),
    now: options.now,
  };
  for (const tool of options.tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: { readOnlyHint: tool.readOnly, destructiveHint: tool.name === 'apply_retention' },
      },
      // The tool's requirement (scopes, step-up) was enforced by Gatehouse before this request got here.
      (args: Record<string, unknown>) => toolResult(() => tool.run(context, args)),
    );
  }
  return server;
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
