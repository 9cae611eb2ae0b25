/**
 * @gatehouse/example-mcp-server: an MCP server (the official SDK, Streamable HTTP at `/mcp`) over the
 * telemetry store, behind `@gatehouse/express`. `createApp(config)` for tests; `main.ts` runs it.
 */

export { OWNERSHIP_RULES } from '@gatehouse/example-telemetry-store';
export type { McpServerConfig } from './app.js';
export { createApp, DEFAULT_STEP_UP } from './app.js';
export { calledTools, toolGuard } from './guard.js';
export { createMcpServer, SERVER_INFO } from './mcp.js';
export type { ToolContext, ToolDefinition, ToolRequirement } from './tools.js';
export { createTools, MCP_SCOPES } from './tools.js';
