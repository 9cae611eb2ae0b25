/**
 * The HTTP side of each tool's requirement. MCP sends every call to the same URL, so the route alone
 * cannot say what a request needs: this reads the JSON-RPC body, finds the tools it calls, and runs the
 * matching Gatehouse requirement before the MCP server sees the request. A missing scope is then an
 * HTTP 403 `insufficient_scope` whose `scope` names what the tool needs (SEP-835), which the official
 * clients answer by authorizing again with that scope; a login too weak or too old for the tool is a 401
 * `insufficient_user_authentication` with `acr_values` and `max_age` (RFC 9470) and the same `scope`.
 */
import type { GatehouseMiddleware } from '@gatehouse/express';
import type { RequestHandler } from 'express';
import type { ToolDefinition, ToolRequirement } from './tools.js';

interface JsonRpcCall {
  method?: unknown;
  params?: { name?: unknown };
}

/** The names of the tools a JSON-RPC message (or batch) calls. */
export function calledTools(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const names: string[] = [];
  for (const message of messages as JsonRpcCall[]) {
    if (message && typeof message === 'object' && message.method === 'tools/call') {
      const name = message.params?.name;
      if (typeof name === 'string') names.push(name);
    }
  }
  return names;
}

/**
 * One requirement for a message calling several tools: every scope of each; of a step-up, the classes
 * every tool accepts and the shortest age.
 */
function mergeRequirements(requirements: readonly ToolRequirement[]): ToolRequirement {
  const scopes = [...new Set(requirements.flatMap((r) => r.scopes))].sort();
  const classes = requirements.flatMap((r) => (r.acr ? [r.acr] : []));
  const ages = requirements.flatMap((r) => (r.maxAge === undefined ? [] : [r.maxAge]));
  return {
    scopes,
    ...(classes.length > 0 ? { acr: classes.reduce((a, b) => a.filter((c) => b.includes(c))) } : {}),
    ...(ages.length > 0 ? { maxAge: Math.min(...ages) } : {}),
  };
}

/**
 * Express middleware: the Gatehouse requirement of the tools the request calls (one handler per
 * requirement, built once), or straight through for requests that call none (initialize, tools/list…) and for
 * unknown tools (the MCP server answers those with its own error).
 */
export function toolGuard(auth: GatehouseMiddleware, tools: readonly ToolDefinition[]): RequestHandler {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const guards = new Map<string, RequestHandler>();
  return (req, res, next) => {
    const requirements = calledTools(req.body)
      .map((name) => byName.get(name)?.requirement)
      .filter((r): r is ToolRequirement => r !== undefined);
    if (requirements.length === 0) return next();
    const requirement = mergeRequirements(requirements);
    const key = JSON.stringify(requirement);
    let guard = guards.get(key);
    if (!guard) {
      guard = auth.require(requirement);
      guards.set(key, guard);
    }
    return guard(req, res, next);
  };
}
