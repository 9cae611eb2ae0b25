#!/usr/bin/env node
// `npm run demo` (after `npm run build`, which the npm script runs first): starts the development identity
// provider and the three example apps on loopback, configured for each other, sends one batch of telemetry
// with the example sender, and prints commands to try. Then the sender keeps sending, a little traffic of
// every kind (good, bad and forbidden credentials) keeps flowing, and a live page plots the apps' metrics.
// Ctrl-C stops everything.
//
// Ports: DEMO_IDP_PORT (4400), DEMO_INGESTION_PORT (4401), DEMO_ANALYTICS_PORT (4402),
// DEMO_ANALYTICS_KOA_PORT (4403), DEMO_DASHBOARD_PORT (4404), DEMO_INGESTION_2_PORT (4405); 0 picks a free
// port. Data: TELEMETRY_DATA_DIR (default data/). With redis-server installed, every app shares its state on one
// the demo starts on a free loopback port, and a second ingestion instance runs; without it, everything runs
// in-process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDashboard } from './demo-dashboard.mjs';
import { findRedisServer, IN_PROCESS_NOTICE, sharedStateLines, startRedis } from './demo-shared-state.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';
const AUDIENCE = 'urn:gatehouse:example-api';
const SERVICE_CLIENT = { id: 'gatehouse-service', secret: 'gatehouse-service-dev-secret' };
const CLI_CLIENT_ID = 'gatehouse-cli';
const CLI_PROFILE = 'gatehouse-demo';
const STARTUP_TIMEOUT_MS = 60_000;
const SENDER_INTERVAL_SECS = 2;
const TRAFFIC_EVERY_MS = 1500;
const TOKEN_RENEW_MS = 4 * 60_000;

const SERVICES = [
  {
    name: 'dev-idp',
    variable: 'DEMO_IDP_PORT',
    port: 4400,
    what: 'development OpenID provider (never for production)',
  },
  { name: 'ingestion', variable: 'DEMO_INGESTION_PORT', port: 4401, what: 'Express, writes telemetry' },
  { name: 'analytics', variable: 'DEMO_ANALYTICS_PORT', port: 4402, what: 'NestJS, reads telemetry' },
  { name: 'analytics-koa', variable: 'DEMO_ANALYTICS_KOA_PORT', port: 4403, what: 'Koa, reads telemetry' },
];
// Served by this script itself (not a child process).
const DASHBOARD = {
  name: 'dashboard',
  variable: 'DEMO_DASHBOARD_PORT',
  port: 4404,
  what: 'live metrics of the three apps (open it in a browser)',
};
const timers = [];
let dashboard;
// Started only with Redis: the same app again, sharing revocations with the first.
const SECOND_INGESTION = { name: 'ingestion-2', variable: 'DEMO_INGESTION_2_PORT', port: 4405 };

const children = [];
let stopping = false;

function fail(message) {
  console.error(`demo: ${message}`);
  return stopAll(1);
}

/** A setting of the demo from the environment (trimmed; empty means unset). */
function setting(name) {
  return process.env[name]?.trim() || undefined;
}

/** The port each service gets, from its variable; every one must be free (0 is always free). */
async function choosePorts() {
  for (const service of [...SERVICES, DASHBOARD, SECOND_INGESTION]) {
    const raw = setting(service.variable);
    if (raw) {
      if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
        throw new Error(`${service.variable} must be a port number from 0 to 65535`);
      }
      service.port = Number(raw);
    }
    if (service.port !== 0 && !(await isFree(service.port))) {
      throw new Error(
        `port ${service.port} (${service.name}) is already in use (set ${service.variable} to another port)`,
      );
    }
  }
}

function isFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

/** The environment of a child: the parent's, without any Gatehouse or app setting of the developer's. */
function childEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(GATEHOUSE_|DEV_IDP_|DEMO_)/.test(key) || ['PORT', 'HOST', 'TELEMETRY_DATA_DIR'].includes(key)) {
      delete env[key];
    }
  }
  return { ...env, ...extra };
}

/**
 * Starts `apps/<name>/dist/main.js`, prefixes its output with its name, and resolves with the first match
 * of `ready` on its stdout. `quiet` keeps stdout (the IdP's banner; the demo prints its own) to itself.
 */
function start(name, env, ready, { quiet = false, label = name } = {}) {
  const main = join(ROOT, 'apps', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { name: label, child, done: false };
  children.push(entry);
  const tag = `[${label}]`.padEnd(16);
  const relay = (stream, out, show) => {
    let pending = '';
    stream.setEncoding('utf8').on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        entry.onLine?.(line);
        if (show()) out.write(`${tag} ${line}\n`);
      }
    });
  };
  let readySeen = false;
  relay(child.stdout, process.stdout, () => !quiet);
  relay(child.stderr, process.stderr, () => true);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label} did not start within 60 s`)),
      STARTUP_TIMEOUT_MS,
    );
    entry.onLine = (line) => {
      const match = ready.exec(line);
      if (match && !readySeen) {
        readySeen = true;
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.once('exit', (code, signal) => {
      entry.done = true;
      clearTimeout(timer);
      if (!readySeen)
        reject(new Error(`${label} could not start (exit ${code ?? signal}); see its message above`));
      else if (!stopping)
        void fail(`${label} stopped unexpectedly (exit ${code ?? signal}); stopping the demo`);
    });
  });
}

/**
 * The origin clients use, which DPoP proofs name (GATEHOUSE_PUBLIC_URL); with port 0 the app falls back to
 * the address it listens on.
 */
function publicUrl(port) {
  return port === 0 ? {} : { GATEHOUSE_PUBLIC_URL: `http://${HOST}:${port}` };
}

/** Polls until `url` answers 200. */
async function waitFor(url, name) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A fresh service token: the client credentials grant against the dev IdP, through @gatehouse/client. */
async function mintServiceToken(issuer) {
  const { createOidcClient, requestClientCredentialsToken } = await import('@gatehouse/client');
  const client = createOidcClient({
    issuer,
    clientId: SERVICE_CLIENT.id,
    clientSecret: SERVICE_CLIENT.secret,
    audience: AUDIENCE,
    scope: 'api:read api:write',
  });
  return (await requestClientCredentialsToken(client)).accessToken;
}

/**
 * DPoP (RFC 9449), shown rather than described: a service token bound to a key the demo holds, used with a
 * fresh proof (accepted), the same proof replayed (refused), and the token sent as a plain Bearer token
 * (refused). Returns the lines to print.
 */
async function showDpop(issuer, url) {
  const { createDpopProof, generateDpopKey } = await import('@gatehouse/client');
  const oidc = await import('openid-client');
  const key = await generateDpopKey();
  const config = await oidc.discovery(new URL(issuer), SERVICE_CLIENT.id, SERVICE_CLIENT.secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const tokens = await oidc.clientCredentialsGrant(
    config,
    { scope: 'api:read' },
    { DPoP: oidc.getDPoPHandle(config, key) },
  );
  const token = tokens.access_token;
  const target = `${url}/v1/whoami`;
  const proof = await createDpopProof(key, { method: 'GET', url: target, accessToken: token });
  const call = async (headers) => {
    const res = await fetch(target, { headers });
    const body = await res.text();
    return res.status === 200 ? `200 ${body}` : `${res.status} ${res.headers.get('www-authenticate')}`;
  };
  const used = await call({ authorization: `DPoP ${token}`, dpop: proof });
  const replayed = await call({ authorization: `DPoP ${token}`, dpop: proof });
  const asBearer = await call({ authorization: `Bearer ${token}` });
  return [
    `  DPoP (RFC 9449), just done by the demo against ${target}: a service token bound to a key`,
    `  only the demo holds (token_type ${tokens.token_type}, cnf.jkt ${key.thumbprint}).`,
    `    the bound token with a fresh proof        DPoP:  → ${used}`,
    `    the same proof replayed                   DPoP:  → ${replayed}`,
    `    the bound token sent as a Bearer token    DPoP:  → ${asBearer}`,
    '  A stolen token is useless without the key; a stolen proof is useless twice. In code: createDpopFetch.',
  ];
}

/** The example sender's environment (client credentials); `extra` sets its batches and interval. */
function senderEnv(issuer, ingestionUrl, extra = {}) {
  return childEnv({
    INGESTION_URL: ingestionUrl,
    GATEHOUSE_OIDC_ISSUER: issuer,
    GATEHOUSE_OIDC_CLIENT_ID: SERVICE_CLIENT.id,
    GATEHOUSE_OIDC_CLIENT_SECRET: SERVICE_CLIENT.secret,
    GATEHOUSE_OIDC_AUDIENCE: AUDIENCE,
    ...extra,
  });
}

/**
 * Keeps the sender running in the background (a batch every few seconds) for the live page; its
 * output stays quiet so that the printed instructions stay on screen, except for errors.
 */
function startBackgroundSender(issuer, ingestionUrl) {
  const main = join(ROOT, 'apps', 'telemetry-sender', 'dist', 'main.js');
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: senderEnv(issuer, ingestionUrl, {
      SENDER_BATCHES: '0',
      SENDER_INTERVAL_SECS: String(SENDER_INTERVAL_SECS),
      SENDER_PROCESS_ID: 'telemetry-sender.demo-background',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const entry = { name: 'telemetry-sender (background)', child, done: false };
  children.push(entry);
  child.stderr.setEncoding('utf8').on('data', (chunk) => process.stderr.write(`[sender]        ${chunk}`));
  child.once('exit', (code) => {
    entry.done = true;
    if (!stopping)
      console.error(`demo: the background sender stopped (exit ${code}); the page shows the rest`);
  });
}

/**
 * A little of every kind of traffic, so that the live page has refusals to show too: a cached token, an
 * API key, a tampered token, no credentials, a non-admin on an admin route, a non-admin on /metrics.
 */
function startTraffic(urls, credentials) {
  const [ingestion, analytics, koa] = urls;
  const send = (url, authorization) =>
    fetch(url, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(5000) })
      .then((res) => res.body?.cancel())
      .catch(() => {});
  const tick = () => {
    const token = credentials.token;
    const tampered = `${token.slice(0, -6)}AAAAAA`;
    void send(`${ingestion}/v1/whoami`, `Bearer ${token}`);
    void send(`${analytics}/v1/whoami`, `Bearer ${token}`);
    void send(`${koa}/v1/processes`, `Bearer ${credentials.senderKey}`);
    void send(`${analytics}/v1/whoami`, `Bearer ${tampered}`);
    void send(`${koa}/v1/whoami`);
    void send(`${koa}/v1/admin/status`, `Bearer ${token}`);
    void send(`${ingestion}/metrics`, `Bearer ${credentials.senderKey}`);
  };
  timers.push(setInterval(tick, TRAFFIC_EVERY_MS));
}

/** Runs the example sender once (client credentials) and waits for it. */
function runSender(issuer, ingestionUrl) {
  const main = join(ROOT, 'apps', 'telemetry-sender', 'dist', 'main.js');
  const env = senderEnv(issuer, ingestionUrl);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const entry = { name: 'telemetry-sender', child, done: false };
    children.push(entry);
    child.once('exit', (code) => {
      entry.done = true;
      if (code === 0) resolve();
      else reject(new Error(`the telemetry sender failed (exit ${code}); see its message above`));
    });
  });
}

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const timer of timers) clearInterval(timer);
  void dashboard?.close();
  const running = children.filter((c) => !c.done);
  for (const { child } of running) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const { child } of running) child.kill('SIGKILL');
  }, 10_000);
  Promise.all(
    running.map(
      ({ child }) =>
        new Promise((resolve) =>
          child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve),
        ),
    ),
  ).then(() => {
    clearTimeout(force);
    if (code === 0) console.log('demo: stopped');
    process.exit(code);
  });
}

function instructions({
  urls,
  token,
  senderKey,
  operatorKey,
  scraperKey,
  dashboardUrl,
  dataDir,
  dpop,
  shared,
}) {
  const [idp, ingestion, analytics, koa] = urls;
  const auth = (variable) => `-H "Authorization: Bearer $${variable}"`;
  // -w '\n': the JSON answers carry no final newline.
  const curl = "curl -s -w '\\n'";
  const rule = '='.repeat(100);
  const ingestBody = JSON.stringify({
    processes: [{ processId: 'checkout-1', name: 'checkout', host: 'demo-host', version: '1.4.2' }],
    logs: [{ processId: 'checkout-1', level: 'error', message: 'payment provider timed out' }],
    metrics: [{ processId: 'checkout-1', name: 'http.latency', value: 812, unit: 'ms' }],
  });
  return [
    '',
    rule,
    '  Gatehouse demo: running on loopback, for development only. Ctrl-C stops everything.',
    rule,
    ...SERVICES.map((s, i) => `  ${s.name.padEnd(14)} ${urls[i].padEnd(24)} ${s.what}`),
    `  ${DASHBOARD.name.padEnd(14)} ${dashboardUrl.padEnd(24)} ${DASHBOARD.what}`,
    `  ${'database'.padEnd(14)} ${join(dataDir, 'telemetry.db')}`,
    `  users          alice/alice (admin, by email), bob/bob, mallory/mallory (unverified email)`,
    '',
    '  Paste into a bash or zsh terminal. TOKEN is a service token (client credentials of',
    `  ${SERVICE_CLIENT.id}), valid for 10 minutes; the API keys live as long as this demo.`,
    '',
    `  export TOKEN='${token}'`,
    `  export SENDER_KEY='${senderKey}'`,
    `  export OPERATOR_KEY='${operatorKey}'`,
    `  export SCRAPER_KEY='${scraperKey}'`,
    '',
    '  # who am I: the service token, then the API key "demo-sender" → 200',
    `  ${curl} ${ingestion}/v1/whoami ${auth('TOKEN')}`,
    `  ${curl} ${analytics}/v1/whoami ${auth('SENDER_KEY')}`,
    "  # send a batch of telemetry (stamped with the sender's identity) → 200",
    `  ${curl} ${ingestion}/v1/ingest ${auth('TOKEN')} -H 'content-type: application/json' -d '${ingestBody}'`,
    '  # read it back: logs through NestJS, metrics through Koa → 200',
    `  ${curl} '${analytics}/v1/logs?processId=checkout-1' ${auth('TOKEN')}`,
    `  ${curl} '${koa}/v1/metrics/summary?processId=checkout-1' ${auth('SENDER_KEY')}`,
    '  # admin only: as an admin (the API key "demo-operator") → 200',
    `  ${curl} ${analytics}/v1/admin/status ${auth('OPERATOR_KEY')}`,
    `  ${curl} -X POST '${koa}/v1/admin/retention?olderThanDays=30&dryRun=true' ${auth('OPERATOR_KEY')}`,
    '  # admin only: as a non-admin (the service) → 403',
    `  ${curl} -i ${koa}/v1/admin/status ${auth('TOKEN')}`,
    '  # no credentials → 401 with WWW-Authenticate',
    `  ${curl} -i ${ingestion}/v1/whoami`,
    '  # readiness, public: 200 once the issuer keys are loaded → 200',
    `  ${curl} ${analytics}/ready`,
    '  # Prometheus metrics with the API key "demo-scraper" (scope metrics:read) → 200',
    `  ${curl} ${koa}/metrics ${auth('SCRAPER_KEY')}`,
    '  # metrics for a non-admin without the metrics:read scope → 403',
    `  ${curl} -i ${ingestion}/metrics ${auth('TOKEN')}`,
    '',
    `  The live page plots those metrics while the sender and some demo traffic run: ${dashboardUrl}`,
    '',
    '  As a person, with the gatehouse CLI (log in as alice/alice, an admin, or bob/bob):',
    '',
    `  export GATEHOUSE_OIDC_ISSUER=${idp} GATEHOUSE_OIDC_CLIENT_ID=${CLI_CLIENT_ID} GATEHOUSE_OIDC_AUDIENCE=${AUDIENCE} GATEHOUSE_PROFILE=${CLI_PROFILE}`,
    '  npx gatehouse login',
    `  npx gatehouse whoami --url ${analytics}`,
    '  # admin only, with the token of the person logged in: alice → 200, bob → 403',
    `  ${curl} ${koa}/v1/admin/status -H "Authorization: Bearer $(npx gatehouse token)"`,
    '',
    '  The example sender (client credentials through @gatehouse/client; or GATEHOUSE_INGESTION_API_KEY):',
    '',
    `  INGESTION_URL=${ingestion} GATEHOUSE_OIDC_ISSUER=${idp} GATEHOUSE_OIDC_CLIENT_ID=${SERVICE_CLIENT.id} GATEHOUSE_OIDC_CLIENT_SECRET=${SERVICE_CLIENT.secret} GATEHOUSE_OIDC_AUDIENCE=${AUDIENCE} node apps/telemetry-sender/dist/main.js`,
    `  INGESTION_URL=${ingestion} GATEHOUSE_INGESTION_API_KEY=$SENDER_KEY node apps/telemetry-sender/dist/main.js`,
    '',
    ...dpop,
    ...shared,
    rule,
    '',
  ].join('\n');
}

async function main() {
  await choosePorts();
  const dataDir = resolve(setting('TELEMETRY_DATA_DIR') ?? join(ROOT, 'data'));
  const senderKey = `demo-sender-${randomBytes(18).toString('base64url')}`;
  const operatorKey = `demo-operator-${randomBytes(18).toString('base64url')}`;
  const scraperKey = `demo-scraper-${randomBytes(18).toString('base64url')}`;

  const redis = await startSharedState();
  const [idpService, ...appServices] = SERVICES;
  const [, issuer] = await start(
    'dev-idp',
    { DEV_IDP_PORT: String(idpService.port), DEV_IDP_HOST: HOST, DEV_IDP_AUDIENCE: AUDIENCE },
    /^issuer\s+(http:\/\/\S+)$/,
    { quiet: true },
  );
  await waitFor(`${issuer}/.well-known/openid-configuration`, 'dev-idp');

  const appEnv = {
    HOST,
    TELEMETRY_DATA_DIR: dataDir,
    GATEHOUSE_API_KEYS: JSON.stringify([
      { name: 'demo-sender', key: senderKey },
      { name: 'demo-operator', key: operatorKey },
      { name: 'demo-scraper', key: scraperKey, scopes: ['metrics:read'] },
    ]),
    GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers: [{ issuer, audience: AUDIENCE }] }),
    GATEHOUSE_ADMINS: JSON.stringify(['alice@example.com', 'demo-operator']),
    ...(redis ? { GATEHOUSE_REDIS_URL: redis.url } : {}),
  };
  // Ingestion first: it creates the database the analytics apps open.
  const [, ingestionUrl] = await start(
    appServices[0].name,
    { ...appEnv, ...publicUrl(appServices[0].port), PORT: String(appServices[0].port) },
    /listening on (http:\/\/\S+)/,
  );
  await waitFor(`${ingestionUrl}/health`, 'ingestion');
  const readers = await Promise.all(
    appServices.slice(1).map(async (service) => {
      const [, url] = await start(
        service.name,
        { ...appEnv, ...publicUrl(service.port), PORT: String(service.port) },
        /listening on (http:\/\/\S+)/,
      );
      await waitFor(`${url}/health`, service.name);
      return url;
    }),
  );

  const ingestionUrls = [ingestionUrl];
  if (redis) {
    const [, url] = await start(
      appServices[0].name,
      { ...appEnv, ...publicUrl(SECOND_INGESTION.port), PORT: String(SECOND_INGESTION.port) },
      /listening on (http:\/\/\S+)/,
      { label: SECOND_INGESTION.name },
    );
    await waitFor(`${url}/health`, SECOND_INGESTION.name);
    ingestionUrls.push(url);
  }

  await runSender(issuer, ingestionUrl);
  const token = await mintServiceToken(issuer);
  const appUrls = [ingestionUrl, ...readers];
  dashboard = await startDashboard({
    targets: appServices.map((service, i) => ({ name: service.name, url: appUrls[i] })),
    authorization: `Bearer ${scraperKey}`,
    host: HOST,
    port: DASHBOARD.port,
  });
  startBackgroundSender(issuer, ingestionUrl);
  const credentials = { token, senderKey };
  startTraffic(appUrls, credentials);
  // The service token lives 10 minutes: the traffic renews its own.
  timers.push(
    setInterval(() => {
      mintServiceToken(issuer).then(
        (fresh) => {
          credentials.token = fresh;
        },
        () => {},
      );
    }, TOKEN_RENEW_MS),
  );
  const dpop = await showDpop(issuer, ingestionUrl);
  const shared = sharedStateLines({ redisUrl: redis?.url, ingestionUrls, issuer, token });
  console.log(
    instructions({
      urls: [issuer, ...appUrls],
      token,
      senderKey,
      operatorKey,
      scraperKey,
      dashboardUrl: dashboard.url,
      dataDir,
      dpop,
      shared,
    }),
  );
}

/**
 * A redis-server on a free loopback port when one is installed (stopped with everything else), else
 * undefined and the plain statement that revocations and limits run in-process.
 */
async function startSharedState() {
  const bin = findRedisServer();
  if (bin === undefined) {
    console.log(IN_PROCESS_NOTICE.join('\n'));
    return undefined;
  }
  const redis = await startRedis({ bin, host: HOST });
  const entry = { name: 'redis-server', child: redis.child, done: false };
  children.push(entry);
  redis.child.once('exit', (code, signal) => {
    entry.done = true;
    if (!stopping) void fail(`redis-server stopped unexpectedly (exit ${code ?? signal}); stopping the demo`);
  });
  console.log(`demo: redis-server on ${redis.url} (shared state of every app)`);
  return redis;
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
main().catch((err) => fail(err.message));
