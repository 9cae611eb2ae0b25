/**
 * The MCP server example: the official SDK's server on Streamable HTTP at `/mcp`, behind
 * `@gatehouse/express`, exposing the telemetry store as tools. Gatehouse makes it an OAuth resource
 * server as MCP requires: it serves the protected resource metadata (RFC 9728), points every 401 to it,
 * accepts only tokens for this resource (RFC 8707), and enforces each tool's scopes and the step-up of
 * the destructive one (RFC 9470) at the HTTP level, before the MCP server runs.
 */
import { type AuthenticationRequirement, ConfigError, ENV } from '@gatehouse/core';
import { type AppLogger, errorAnswer, NOT_FOUND, requestLogging, whoamiBody } from '@gatehouse/example-kit';
import { createAnalytics, OWNERSHIP_RULES, type TelemetryStore } from '@gatehouse/example-telemetry-store';
import { authOf, type GatehouseExpressOptions, gatehouse } from '@gatehouse/express';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { toolGuard } from './guard.js';
import { mcpHandler } from './mcp.js';
import { createTools, MCP_SCOPES } from './tools.js';

/**
 * The authentication context class the destructive tool demands unless told otherwise: the dev IdP's
 * second-factor login.
 *
 * @example
 * ```ts
 * import { DEFAULT_STEP_UP } from '@gatehouse/example-mcp-server';
 * console.log(DEFAULT_STEP_UP.acr); // ['urn:gatehouse:acr:mfa']
 * ```
 */
export const DEFAULT_STEP_UP: AuthenticationRequirement = { acr: ['urn:gatehouse:acr:mfa'], maxAge: 300 };

/**
 * What {@link createApp} needs.
 *
 * @example
 * ```ts
 * import type { McpServerConfig } from '@gatehouse/example-mcp-server';
 * declare const config: McpServerConfig;
 * console.log(config.store.path);
 * ```
 */
export interface McpServerConfig {
  /** The telemetry database, opened read/write. */
  readonly store: TelemetryStore;
  /**
   * Gatehouse's options. Everything they leave out comes from the `GATEHOUSE_*` environment (main.ts gives
   * none: `GATEHOUSE_RESOURCE` names the server, `GATEHOUSE_OIDC_CONFIG` its issuers); tests give the
   * resource, the issuers and `env: false`.
   */
  readonly gatehouse?: GatehouseExpressOptions;
  /** The step-up of the destructive tool: `acr` values (one of them) and the greatest login age (s). */
  readonly stepUp?: AuthenticationRequirement;
  /** Structured logs (pino): the audit line per decision, one access line per request. */
  readonly logger?: AppLogger;
  /** Receives unexpected errors (answered 500). Default: `console.error`. */
  readonly onUnexpectedError?: (err: unknown) => void;
  /** Current time in ms (tests). */
  readonly now?: () => number;
}

/** Largest JSON-RPC body accepted, in bytes. */
const MAX_BODY = '1mb';

/**
 * Builds the Express app: `POST /mcp` (the MCP endpoint, every MCP request needs `api:read`, each tool its
 * own requirement), `GET /health` (public), the contract's `/v1/whoami` and `/v1/admin/status`, and what
 * Gatehouse serves itself (`routes: true`): the protected resource metadata at
 * `/.well-known/oauth-protected-resource/mcp`, `/ready`, `/metrics`, the revocation routes.
 *
 * @example
 * ```ts
 * import { openTelemetryStore } from '@gatehouse/example-telemetry-store';
 * import { createApp } from '@gatehouse/example-mcp-server';
 *
 * // GATEHOUSE_* configure Gatehouse (main.ts passes no options).
 * createApp({ store: openTelemetryStore({ path: 'data/telemetry.db' }) }).listen(4406);
 * ```
 */
export function createApp(config: McpServerConfig): Express {
  const now = config.now ?? Date.now;
  const onUnexpectedError = config.onUnexpectedError ?? ((err: unknown) => console.error(err));
  const analytics = createAnalytics(config.store, { service: 'mcp-server', framework: 'express', now });
  const tools = createTools(config.stepUp ?? DEFAULT_STEP_UP);
  const auth = gatehouse({
    routes: true,
    realm: 'mcp',
    publicPaths: ['/health'],
    logger: config.logger,
    authz: OWNERSHIP_RULES,
    ...config.gatehouse,
  });
  // MCP makes the server an OAuth resource server: without its identifier it can neither publish its
  // metadata nor check that tokens were issued for it.
  if (auth.gate.config.resource === undefined) {
    throw new ConfigError(
      'missing_config',
      `an MCP server needs its resource identifier (the URL of /mcp): set ${ENV.resource} or the resource option`,
    );
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);
  if (config.logger) app.use(requestLogging(config.logger));
  app.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });

  // Before the main middleware, so that the route's own step authenticates it: its 401 then names the
  // scope an MCP request needs (`scope="api:read"`), which clients ask for when they first authorize.
  app.post(
    '/mcp',
    auth.scopes(MCP_SCOPES.read),
    express.json({ limit: MAX_BODY, type: 'application/json' }),
    toolGuard(auth, tools),
    mcpHandler({
      store: config.store,
      analytics,
      tools,
      now,
      permitted: (identity) => (resources) => auth.gate.permitted(identity, 'read', resources),
    }),
  );

  // Everything else, and the routes Gatehouse serves (the metadata, /ready, /metrics, revocations).
  app.use(auth);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'mcp-server' });
  });
  app.get('/v1/whoami', (req, res) => {
    res.json(whoamiBody(authOf(req)));
  });
  app.get('/v1/admin/status', auth.admin(), (_req, res) => {
    res.json(analytics.status());
  });

  // Stateless: no server-to-client stream and no session to end (MCP Streamable HTTP §GET, §DELETE).
  app.all('/mcp', (_req, res) => {
    res.status(405).set('allow', 'POST').json({ error: 'method_not_allowed', error_description: 'use POST' });
  });

  app.use((_req, res) => {
    res.status(NOT_FOUND.status).json(NOT_FOUND.body);
  });
  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const answer = errorAnswer(err);
    if (answer.status >= 500) onUnexpectedError(err);
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
  app.use(onError);
  return app;
}
