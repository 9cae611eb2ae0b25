/**
 * The MCP tools over the telemetry store, each with what it demands of the caller: the read tools a read
 * scope, the tool that writes a write scope, and the tool that deletes data an admin scope and a recent
 * second-factor login (step-up, RFC 9470). Gatehouse enforces the demand at the HTTP level before the MCP
 * server sees the call (see guard.ts), so that a client gets the 403 or 401 challenge that tells it what
 * to ask for.
 */
import type { AuthContext, AuthenticationRequirement, AuthRequirement } from '@gatehouse/core';
import {
  type Analytics,
  LOG_LEVELS,
  type Owner,
  parseBatch,
  type TelemetryStore,
  ValidationError,
} from '@gatehouse/example-telemetry-store';
import { z } from 'zod';

/**
 * The scopes of the MCP server (those the dev IdP grants for any resource).
 *
 * @example
 * ```ts
 * import { MCP_SCOPES } from '@gatehouse/example-mcp-server';
 * console.log(MCP_SCOPES.read); // "api:read"
 * ```
 */
export const MCP_SCOPES = { read: 'api:read', write: 'api:write', admin: 'api:admin' } as const;

/**
 * What a tool demands, as a Gatehouse route requirement: scopes (all the request needs, `api:read` for any
 * MCP request included, so that the 403 of a missing one names everything to ask for: SEP-835), and for
 * a step-up the authentication context classes (`acr`) of which the token must name one and how recent
 * the login (`auth_time`) must be (`maxAge`, seconds).
 *
 * @example
 * ```ts
 * import type { ToolRequirement } from '@gatehouse/example-mcp-server';
 * const purge: ToolRequirement = { scopes: ['api:admin'], acr: ['urn:gatehouse:acr:mfa'], maxAge: 300 };
 * ```
 */
export type ToolRequirement = AuthRequirement & { readonly scopes: readonly string[] };

/** What a tool's handler is given. */
export interface ToolContext {
  readonly store: TelemetryStore;
  readonly analytics: Analytics;
  readonly auth: AuthContext;
  /**
   * Whose records of a kind (`process`, `log`, `metric`) the caller may read, as Gatehouse's authorization
   * step decides: the read tools return those senders' records only.
   */
  readonly readable: (type: string) => Promise<readonly Owner[]>;
  readonly now: () => number;
}

/** One tool: its MCP description, its input schema, its requirement and what it does. */
export interface ToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: z.ZodRawShape;
  readonly readOnly: boolean;
  readonly requirement: ToolRequirement;
  run(context: ToolContext, args: Record<string, unknown>): unknown;
}

const optionalText = z.string().min(1).max(200).optional();

/** The query parameters of the read API, as strings, without the absent ones. */
function query(args: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(args)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, String(value)]),
  );
}

/**
 * The tool table. `stepUp` is the step-up of the destructive tool (see {@link ToolRequirement}).
 *
 * @example
 * ```ts
 * import { createTools } from '@gatehouse/example-mcp-server';
 * const tools = createTools({ acr: ['urn:gatehouse:acr:mfa'], maxAge: 300 });
 * console.log(tools.map((t) => t.name));
 * ```
 */
export function createTools(stepUp: AuthenticationRequirement): ToolDefinition[] {
  return [
    {
      name: 'list_processes',
      title: 'List processes',
      description: 'The processes that reported telemetry, newest first.',
      input: { limit: z.number().int().min(1).max(1000).optional() },
      readOnly: true,
      requirement: { scopes: [MCP_SCOPES.read] },
      run: async ({ analytics, readable }, args) =>
        analytics.processes(query(args), await readable('process')),
    },
    {
      name: 'query_logs',
      title: 'Query logs',
      description:
        'Log entries in a time range (RFC 3339 date-times; default: the last hour), optionally of one process and at a minimum level.',
      input: {
        from: optionalText,
        to: optionalText,
        processId: optionalText,
        minLevel: z.enum(LOG_LEVELS).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      },
      readOnly: true,
      requirement: { scopes: [MCP_SCOPES.read] },
      run: async ({ analytics, readable }, args) => analytics.logs(query(args), await readable('log')),
    },
    {
      name: 'summarize_metrics',
      title: 'Summarize metrics',
      description:
        'Count, min, max and average of each metric series in a time range (default: the last hour).',
      input: { from: optionalText, to: optionalText, processId: optionalText, name: optionalText },
      readOnly: true,
      requirement: { scopes: [MCP_SCOPES.read] },
      run: async ({ analytics, readable }, args) =>
        analytics.metricsSummary(query(args), await readable('metric')),
    },
    {
      name: 'record_note',
      title: 'Record a note',
      description:
        "Adds a log entry to a process's telemetry (an operator's note), stamped with your identity.",
      input: {
        processId: z.string().min(1).max(128),
        message: z.string().min(1).max(2000),
        level: z.enum(LOG_LEVELS).optional(),
      },
      readOnly: false,
      requirement: { scopes: [MCP_SCOPES.read, MCP_SCOPES.write] },
      run: ({ store, auth, now }, args) => {
        const batch = parseBatch(
          { logs: [{ processId: args.processId, level: args.level ?? 'info', message: args.message }] },
          now(),
        );
        const { subject, issuer, authType } = auth;
        return store.insertBatch(batch, { subject, issuer, authType });
      },
    },
    {
      name: 'apply_retention',
      title: 'Delete old telemetry',
      description:
        'Deletes every record older than the given number of days (dryRun: only counts them). Needs a recent login with a second factor.',
      input: { olderThanDays: z.number().int().min(1).max(3650), dryRun: z.boolean().optional() },
      readOnly: false,
      requirement: { scopes: [MCP_SCOPES.read, MCP_SCOPES.admin], ...stepUp },
      run: ({ analytics }, args) => analytics.retention(query(args)),
    },
  ];
}

/** A tool's answer: the JSON result as text and structured content, or the validation error it raised. */
export async function toolResult(run: () => unknown) {
  try {
    const result = (await run()) as Record<string, unknown>;
    return { content: [{ type: 'text' as const, text: JSON.stringify(result) }], structuredContent: result };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { isError: true, content: [{ type: 'text' as const, text: `invalid input: ${err.message}` }] };
  }
}
