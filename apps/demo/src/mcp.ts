/**
 * The demo's MCP server (apps/mcp-server): an OAuth resource server for MCP clients, with its own resource
 * identifier (RFC 8707), its protected resource metadata (RFC 9728) and step-up for the tool that deletes.
 */
import { freePort } from '@gatehouse/testkit';
import { CLI_PROFILE, HOST, MCP } from './settings.js';

/** The resource identifier of the MCP endpoint on `port`, and its settings. */
export async function mcpSettings(
  issuer: string,
): Promise<{ port: number; resource: string; env: Record<string, string> }> {
  // The resource names the port, so a free port is chosen before the server starts.
  const port = MCP.port === 0 ? await freePort(HOST) : MCP.port;
  const resource = `http://${HOST}:${port}/mcp`;
  return {
    port,
    resource,
    env: {
      GATEHOUSE_RESOURCE: JSON.stringify({
        resource,
        // Never offline_access: an MCP client would refresh instead of asking for more on a 403.
        scopes_supported: ['api:read', 'api:write', 'api:admin'],
        resource_name: 'Gatehouse telemetry (MCP)',
      }),
      // No audience: the issuer's tokens are accepted when they name this resource (RFC 8707).
      GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers: [{ issuer }] }),
      GATEHOUSE_ADMINS: JSON.stringify(['alice']),
    },
  };
}

/** What the welcome block says of the MCP server. */
export function mcpLines(url: string): string[] {
  const origin = new URL(url).origin;
  const metadata = `${origin}/.well-known/oauth-protected-resource/mcp`;
  return [
    `  An MCP server (Streamable HTTP): ${url}`,
    `  Its resource metadata (RFC 9728): ${metadata}`,
    '',
    '  # without a token: its WWW-Authenticate points MCP clients at the metadata → 401',
    `  curl -s -i -X POST ${url}`,
    '',
    '  Connect any MCP client with OAuth support (MCP Inspector, or',
    `  claude mcp add --transport http gatehouse ${url}), log in as alice/alice;`,
    '  apply_retention asks for a second factor: the code is 000000.',
    '  With the gatehouse CLI (the issuer is found from the resource metadata):',
    '',
    `  npx gatehouse --profile ${CLI_PROFILE}-mcp login --resource ${url}`,
    `  curl -s -X POST ${url} -H "Authorization: Bearer $(npx gatehouse --profile ${CLI_PROFILE}-mcp token)" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`,
    '',
  ];
}
