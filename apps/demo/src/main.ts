/**
 * `npm run demo` (after the build, which the npm script runs first): starts the development identity
 * provider and the three example apps on loopback, configured for each other (and Redis when installed,
 * with a second ingestion instance), sends one batch of telemetry with the example sender, and prints
 * commands to try. Then the sender keeps sending, a little traffic of every kind keeps flowing, and a live
 * page plots the apps' metrics. Ctrl-C stops everything.
 *
 * Ports: DEMO_IDP_PORT (4400), DEMO_INGESTION_PORT (4401), DEMO_ANALYTICS_PORT (4402),
 * DEMO_ANALYTICS_KOA_PORT (4403), DEMO_DASHBOARD_PORT (4404), DEMO_INGESTION_2_PORT (4405), DEMO_MCP_PORT
 * (4406), DEMO_PDP_PORT (4480); 0 picks a free port. Data: TELEMETRY_DATA_DIR (default data/).
 */
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '@gatehouse/testkit';
import { apiKeysVariable, makeKeys, mintServiceToken } from './credentials.js';
import { startDashboard } from './dashboard/server.js';
import { showDpop } from './dpop.js';
import { welcomeBlock } from './instructions.js';
import { mcpLines, mcpSettings } from './mcp.js';
import { DemoOutput } from './output.js';
import { startPdp } from './pdp.js';
import { Supervisor } from './processes.js';
import {
  AUDIENCE,
  choosePorts,
  DASHBOARD,
  HOST,
  IDP,
  INGESTION,
  MCP,
  publicUrl,
  READERS,
  SECOND_INGESTION,
  setting,
} from './settings.js';
import { sharedStateLines, startSharedState } from './shared-state.js';
import { startStatusLine } from './status.js';
import { BACKGROUND_SENDER, senderEnv, startBackgroundSender, startTraffic } from './traffic.js';

const LISTENING = /listening on (http:\/\/\S+)/;

const dataDir = resolve(setting('TELEMETRY_DATA_DIR') ?? join(REPO_ROOT, 'data'));
const output = new DemoOutput({
  dir: join(dataDir, 'demo-logs'),
  full: setting('DEMO_LOGS') === '1',
  quiet: ['dev-idp', BACKGROUND_SENDER],
});
const supervisor = new Supervisor(output.sink);
supervisor.afterStop(() => output.close());

/** Starts an app and waits until it answers `/health`; resolves with its URL. */
async function startApp(
  name: string,
  port: number,
  env: Record<string, string>,
  label = name,
): Promise<string> {
  const [, url = ''] = await supervisor.start(
    name,
    { ...env, ...publicUrl(port), PORT: String(port) },
    LISTENING,
    {
      label,
    },
  );
  await waitUntilUp(`${url}/health`, label);
  return url;
}

/** Polls until `url` answers 200. */
async function waitUntilUp(url: string, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(url).then(
      async (res) => {
        await res.body?.cancel();
        return res.status;
      },
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  await choosePorts();
  const keys = makeKeys();
  const redis = await startSharedState(supervisor);
  const idpEnv = { DEV_IDP_PORT: String(IDP.port), DEV_IDP_HOST: HOST, DEV_IDP_AUDIENCE: AUDIENCE };
  const [, issuer = ''] = await supervisor.start('dev-idp', idpEnv, /^issuer\s+(http:\/\/\S+)$/);
  await waitUntilUp(`${issuer}/.well-known/openid-configuration`, 'dev-idp');

  const appEnv: Record<string, string> = {
    HOST,
    TELEMETRY_DATA_DIR: dataDir,
    GATEHOUSE_API_KEYS: apiKeysVariable(keys),
    GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers: [{ issuer, audience: AUDIENCE }] }),
    GATEHOUSE_ADMINS: JSON.stringify(['alice@example.com', 'demo-operator']),
    ...(redis ? { GATEHOUSE_REDIS_URL: redis.url } : {}),
  };
  const pdpUrl = await startPdp(supervisor);
  // Ingestion first: it creates the database the analytics apps open.
  const ingestionEnv = { ...appEnv, AUTHZEN_PDP_URL: pdpUrl };
  const ingestionUrl = await startApp(INGESTION.name, INGESTION.port, ingestionEnv);
  const readers = await Promise.all(READERS.map((s) => startApp(s.name, s.port, appEnv)));
  const ingestionUrls = [ingestionUrl];
  if (redis) {
    ingestionUrls.push(
      await startApp(INGESTION.name, SECOND_INGESTION.port, ingestionEnv, SECOND_INGESTION.name),
    );
  }

  const mcp = await mcpSettings(issuer);
  const mcpOrigin = await startApp(MCP.name, mcp.port, { ...appEnv, ...mcp.env });

  await supervisor.run('telemetry-sender', senderEnv(issuer, ingestionUrl));
  const token = await mintServiceToken(issuer);
  const appUrls = [ingestionUrl, ...readers];
  const dashboard = await startDashboard({
    targets: [INGESTION, ...READERS].map((service, i) => ({ name: service.name, url: appUrls[i] ?? '' })),
    authorization: `Bearer ${keys.scraper}`,
    host: HOST,
    port: DASHBOARD.port,
    // The operator (an admin) sees every sender's records; a non-admin would see only its own.
    stream: {
      url: `${appUrls[1]?.replace(/^http/, 'ws')}/v1/stream`,
      authorization: `Bearer ${keys.operator}`,
    },
  });
  supervisor.onStop(() => dashboard.close());
  startBackgroundSender(supervisor, issuer, ingestionUrl);
  const [, analyticsUrl = '', koaUrl = ''] = appUrls;
  startTraffic(supervisor, {
    ingestion: ingestionUrl,
    analytics: analyticsUrl,
    koa: koaUrl,
    issuer,
    senderKey: keys.sender,
    token,
  });
  const dpop = await showDpop(issuer, ingestionUrl);
  const shared = sharedStateLines({ redisUrl: redis?.url, ingestionUrls, issuer, token });
  const urls = [issuer, ...appUrls];
  const logs = output.fileOf('<service>');
  const mcpBlock = mcpLines(`${mcpOrigin}/mcp`);
  console.log(
    welcomeBlock({
      urls,
      token,
      keys,
      dashboardUrl: dashboard.url,
      dataDir,
      logs,
      dpop,
      shared,
      mcp: mcpBlock,
    }),
  );
  // From here on the terminal stays quiet: a status line now and then, and what goes wrong.
  output.startedUp();
  const stopStatus = startStatusLine(
    () => dashboard.sampler.totals(),
    (line) => {
      if (!supervisor.stopping) console.log(line);
    },
  );
  supervisor.onStop(stopStatus);
}

process.on('SIGINT', () => supervisor.stopAll(0));
process.on('SIGTERM', () => supervisor.stopAll(0));
main().catch((err: unknown) => supervisor.fail((err as Error).message));
