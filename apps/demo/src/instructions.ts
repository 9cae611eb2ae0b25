/** The welcome block: what runs where, and the lines to paste (exports, curl, the CLI, the sender). */
import { join } from 'node:path';
import type { DemoKeys } from './credentials.js';
import { AUDIENCE, CLI_CLIENT_ID, CLI_PROFILE, DASHBOARD, SERVICE_CLIENT, SERVICES } from './settings.js';

/** Everything the welcome block shows. */
export interface Welcome {
  /** The URLs of {@link SERVICES}, in order: the IdP, ingestion, analytics, analytics-koa. */
  readonly urls: readonly string[];
  readonly token: string;
  readonly keys: DemoKeys;
  readonly dashboardUrl: string;
  readonly dataDir: string;
  /** Where each service's log goes (`…/<service>.log`). */
  readonly logs: string;
  /** The DPoP lines (already done by the demo). */
  readonly dpop: readonly string[];
  /** The shared-state lines (Redis, or the in-process notice). */
  readonly shared: readonly string[];
  /** The MCP server's lines. */
  readonly mcp: readonly string[];
}

const RULE = '='.repeat(100);
// -w '\n': the JSON answers carry no final newline.
const CURL = "curl -s -w '\\n'";
const auth = (variable: string) => `-H "Authorization: Bearer $${variable}"`;

/** The curl lines, each under a comment that announces its status (the e2e test runs them). */
function curlLines(ingestion: string, analytics: string, koa: string): string[] {
  const ingestBody = JSON.stringify({
    processes: [{ processId: 'checkout-1', name: 'checkout', host: 'demo-host', version: '1.4.2' }],
    logs: [{ processId: 'checkout-1', level: 'error', message: 'payment provider timed out' }],
    metrics: [{ processId: 'checkout-1', name: 'http.latency', value: 812, unit: 'ms' }],
  });
  return [
    '  # who am I: the service token, then the API key "demo-sender" → 200',
    `  ${CURL} ${ingestion}/v1/whoami ${auth('TOKEN')}`,
    `  ${CURL} ${analytics}/v1/whoami ${auth('SENDER_KEY')}`,
    "  # send a batch of telemetry (stamped with the sender's identity) → 200",
    `  ${CURL} ${ingestion}/v1/ingest ${auth('TOKEN')} -H 'content-type: application/json' -d '${ingestBody}'`,
    '  # read it back: logs through NestJS, metrics through Koa → 200',
    `  ${CURL} '${analytics}/v1/logs?processId=checkout-1' ${auth('TOKEN')}`,
    `  ${CURL} '${koa}/v1/metrics/summary?processId=checkout-1' ${auth('TOKEN')}`,
    '  # ownership, decided by Gatehouse: another sender (the API key "demo-sender") reads only what it sent;',
    '  # ingestion asks the AuthZEN PDP, Koa its Cedar policies, NestJS its built-in rules → 200',
    `  ${CURL} '${ingestion}/v1/processes' ${auth('SENDER_KEY')}`,
    `  ${CURL} '${koa}/v1/metrics/summary?processId=checkout-1' ${auth('SENDER_KEY')}`,
    '  # admin only: as an admin (the API key "demo-operator") → 200',
    `  ${CURL} ${analytics}/v1/admin/status ${auth('OPERATOR_KEY')}`,
    `  ${CURL} -X POST '${koa}/v1/admin/retention?olderThanDays=30&dryRun=true' ${auth('OPERATOR_KEY')}`,
    '  # admin only: as a non-admin (the service) → 403',
    `  ${CURL} -i ${koa}/v1/admin/status ${auth('TOKEN')}`,
    '  # no credentials → 401 with WWW-Authenticate',
    `  ${CURL} -i ${ingestion}/v1/whoami`,
    '  # readiness, public: 200 once the issuer keys are loaded → 200',
    `  ${CURL} ${analytics}/ready`,
    '  # Prometheus metrics with the API key "demo-scraper" (scope metrics:read) → 200',
    `  ${CURL} ${koa}/metrics ${auth('SCRAPER_KEY')}`,
    '  # metrics for a non-admin without the metrics:read scope → 403',
    `  ${CURL} -i ${ingestion}/metrics ${auth('TOKEN')}`,
  ];
}

/** The lines for a person (the gatehouse CLI) and for the example sender. */
function clientLines(idp: string, ingestion: string, analytics: string, koa: string): string[] {
  const sender = 'node apps/telemetry-sender/dist/main.js';
  return [
    '  As a person, with the gatehouse CLI (log in as alice/alice, an admin, or bob/bob):',
    '',
    `  export GATEHOUSE_OIDC_ISSUER=${idp} GATEHOUSE_OIDC_CLIENT_ID=${CLI_CLIENT_ID} GATEHOUSE_OIDC_AUDIENCE=${AUDIENCE} GATEHOUSE_PROFILE=${CLI_PROFILE}`,
    '  npx gatehouse login',
    `  npx gatehouse whoami --url ${analytics}`,
    '  # admin only, with the token of the person logged in: alice → 200, bob → 403',
    `  ${CURL} ${koa}/v1/admin/status -H "Authorization: Bearer $(npx gatehouse token)"`,
    '',
    '  The example sender (client credentials through @gatehouse/client; or GATEHOUSE_INGESTION_API_KEY):',
    '',
    `  INGESTION_URL=${ingestion} GATEHOUSE_OIDC_ISSUER=${idp} GATEHOUSE_OIDC_CLIENT_ID=${SERVICE_CLIENT.id} GATEHOUSE_OIDC_CLIENT_SECRET=${SERVICE_CLIENT.secret} GATEHOUSE_OIDC_AUDIENCE=${AUDIENCE} ${sender}`,
    `  INGESTION_URL=${ingestion} GATEHOUSE_INGESTION_API_KEY=$SENDER_KEY ${sender}`,
  ];
}

/** The whole welcome block, ready to print. */
export function welcomeBlock(welcome: Welcome): string {
  const { urls, token, keys, dashboardUrl, dataDir } = welcome;
  const [idp = '', ingestion = '', analytics = '', koa = ''] = urls;
  return [
    '',
    RULE,
    '  Gatehouse demo: running on loopback, for development only. Ctrl-C stops everything.',
    RULE,
    ...SERVICES.map((s, i) => `  ${s.name.padEnd(14)} ${(urls[i] ?? '').padEnd(24)} ${s.what}`),
    `  ${DASHBOARD.name.padEnd(14)} ${dashboardUrl.padEnd(24)} ${DASHBOARD.what}`,
    `  ${'database'.padEnd(14)} ${join(dataDir, 'telemetry.db')}`,
    `  ${'logs'.padEnd(14)} ${welcome.logs} (DEMO_LOGS=1 shows them here too)`,
    '  users          alice/alice (admin, by email), bob/bob, mallory/mallory (unverified email)',
    '',
    '  Paste into a bash or zsh terminal. TOKEN is a service token (client credentials of',
    `  ${SERVICE_CLIENT.id}), valid for 10 minutes; the API keys live as long as this demo.`,
    '',
    `  export TOKEN='${token}'`,
    `  export SENDER_KEY='${keys.sender}'`,
    `  export OPERATOR_KEY='${keys.operator}'`,
    `  export SCRAPER_KEY='${keys.scraper}'`,
    '',
    ...curlLines(ingestion, analytics, koa),
    '',
    `  The live page plots those metrics while the sender and some demo traffic run: ${dashboardUrl}`,
    '',
    ...clientLines(idp, ingestion, analytics, koa),
    '',
    ...welcome.mcp,
    ...welcome.dpop,
    ...welcome.shared,
    RULE,
    '',
  ].join('\n');
}
