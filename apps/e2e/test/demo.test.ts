/**
 * `npm run demo` as a newcomer meets it: the demo script (after the build) on free ports, then every
 * command it prints, run as printed, must do what its comment says. Ctrl-C must stop every process.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedStateLines } from '@gatehouse/demo';
import {
  findRedisServer,
  hasChromium,
  hasRedis,
  launchChromium,
  screenshotPixels,
  stayOnLoopback,
} from '@gatehouse/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASH, HAVE_CURL, parseCurl, runCurlLine } from './helpers/curl-line.js';
import { cleanEnv, REPO_ROOT } from './helpers/processes.js';

const PORT_VARIABLES = [
  'DEMO_IDP_PORT',
  'DEMO_INGESTION_PORT',
  'DEMO_ANALYTICS_PORT',
  'DEMO_ANALYTICS_KOA_PORT',
  'DEMO_DASHBOARD_PORT',
  'DEMO_INGESTION_2_PORT',
];

interface Demo {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDemo(env: Record<string, string>): Demo {
  const child = spawn(process.execPath, ['apps/demo/dist/main.js'], {
    cwd: REPO_ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    output += c;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(demo: Demo, pattern: RegExp, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(demo.output())) {
    if (demo.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the demo never printed ${pattern}:\n${demo.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let dataDir: string;
let demo: Demo;
let printed: string;
const env: Record<string, string> = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'demo-'));
  Object.assign(env, {
    TELEMETRY_DATA_DIR: dataDir,
    ...Object.fromEntries(PORT_VARIABLES.map((v) => [v, '0'])),
  });
  demo = startDemo(env);
  await waitFor(demo, /Paste into a bash[\s\S]*\n={100}\n/);
  printed = demo.output();
}, 120_000);

afterAll(async () => {
  if (demo && demo.child.exitCode === null) {
    // Ctrl-C, as a person would: the demo stops what it started. SIGKILL only if it hangs (a killed demo
    // would leave its IdP, apps and redis-server running).
    demo.child.kill('SIGINT');
    const timer = setTimeout(() => demo.child.kill('SIGKILL'), 15_000);
    await demo.exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

/** The printed commands: `export` lines, and each curl line with the status its comment announces. */
function commands() {
  const lines = printed.split('\n').map((l) => l.trim());
  const exports = lines.filter((l) => /^export (TOKEN|SENDER_KEY|OPERATOR_KEY|SCRAPER_KEY)=/.test(l));
  const curls: { line: string; expected: number }[] = [];
  let expected = 0;
  for (const line of lines) {
    const announced = /^# .*→ (\d{3})/.exec(line);
    if (announced) expected = Number(announced[1]);
    // A chain (the revocation line) changes what TOKEN gets: it has its own test, run after these. A line
    // with the CLI's token needs a login first: the CLI tests below run those.
    else if (line.startsWith('curl ') && !line.includes('$(npx gatehouse') && !line.includes(' && '))
      curls.push({ line, expected });
  }
  return { exports, curls };
}

/** Opens the printed live page in chromium (nothing leaves loopback) and runs `check` on it. */
async function onLivePage(check: (page: Page) => Promise<void>): Promise<void> {
  const dashboardUrl = /^\s{2}dashboard +(http:\/\/\S+)/m.exec(printed)![1]!;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await stayOnLoopback(page);
    await page.goto(dashboardUrl);
    await check(page);
  } finally {
    await browser.close();
  }
}

// Each test runs real processes (bash and curl per printed line, node for the sender and the CLI): on a
// loaded machine one can take a minute (a 30 s default once failed that way; the lines themselves take
// well under a second each), so the limit is generous. Nothing here times performance.
describe('npm run demo', { timeout: 180_000 }, () => {
  it('prints a fresh service token, two API keys and the URLs of everything it started', () => {
    const { exports, curls } = commands();
    expect(exports).toHaveLength(4);
    expect(exports[0]).toMatch(/^export TOKEN='eyJ[\w-]+\.[\w-]+\.[\w-]+'$/);
    expect(curls.length).toBeGreaterThanOrEqual(12);
    expect(printed).toMatch(/telemetry-sender: batch 1 accepted .* as gatehouse-service \(oidc\)/);
    // DPoP shown end to end: the bound token with a fresh proof, the proof replayed, the token as Bearer.
    expect(printed).toMatch(/fresh proof +DPoP: +→ 200 \{"subject":"gatehouse-service"/);
    expect(printed).toMatch(
      /proof replayed +DPoP: +→ 401 Bearer realm="[^"]+", DPoP algs="[^"]+", error="invalid_dpop_proof"/,
    );
    expect(printed).toMatch(/as a Bearer token +DPoP: +→ 401 .*error="invalid_token"/);
    for (const name of ['ingestion', 'analytics', 'analytics-koa']) {
      expect(printed).toMatch(new RegExp(`\\[${name}\\] +${name} listening on http://127\\.0\\.0\\.1:\\d+`));
    }
  });

  it('prints curl lines that do what their comments say when pasted', async () => {
    const { exports, curls } = commands();
    const statuses = await Promise.all(curls.map(({ line }) => runCurlLine(line, exports, cleanEnv({}))));
    expect(statuses).toEqual(curls.map((c) => c.expected));
    expect(curls.map((c) => c.expected)).toEqual(expect.arrayContaining([200, 403, 401]));
  });

  it('prints curl lines that also work as parsed requests (where curl is missing)', async () => {
    const { exports, curls } = commands();
    const ingest = parseCurl(curls.find((c) => c.line.includes('/v1/ingest'))!.line, (name) => `<${name}>`);
    expect(ingest).toMatchObject({
      method: 'POST',
      headers: expect.arrayContaining([['Authorization', 'Bearer <TOKEN>']]),
    });
    expect(JSON.parse(ingest.body!)).toHaveProperty('logs');
    const statuses = await Promise.all(
      curls.map(({ line }) => runCurlLine(line, exports, cleanEnv({}), { useCurl: false })),
    );
    expect(statuses).toEqual(curls.map((c) => c.expected));
  });

  it('prints sender lines that work when pasted', async () => {
    const { exports } = commands();
    const senders = printed
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes('node apps/telemetry-sender/dist/main.js'));
    expect(senders).toHaveLength(2);
    for (const line of senders) {
      const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn('bash', [...BASH, [...exports, line].join('\n')], {
          cwd: REPO_ROOT,
          env: cleanEnv({}),
        });
        let out = '';
        child.stdout.on('data', (c) => {
          out += c;
        });
        child.stderr.on('data', (c) => {
          out += c;
        });
        child.once('exit', (code) => resolve({ code, out }));
      });
      expect(result.code, result.out).toBe(0);
      expect(result.out).toMatch(/batch 1 accepted/);
    }
  });

  it.each([
    ['alice', true, 200],
    ['bob', false, 403],
  ] as const)(
    'prints gatehouse CLI lines that log %s in and use the login',
    async (user, isAdmin, adminStatus) => {
      const lines = printed.split('\n').map((l) => l.trim());
      const start = lines.findIndex((l) => l.startsWith('As a person'));
      const human = lines
        .slice(start + 1)
        .filter((l) => /^(export|npx|curl) /.test(l))
        .slice(0, 4);
      expect(human.map((l) => l.split(' ')[0])).toEqual(['export', 'npx', 'npx', 'curl']);
      // The login runs as printed: the "browser" is a headless stand-in, the callback port comes from the
      // profile in a throw-away config folder (the default 48080 may be busy on a test machine).
      const configDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
      try {
        writeFileSync(
          join(configDir, 'config.json'),
          JSON.stringify({ profiles: { 'gatehouse-demo': { port: 0 } } }),
        );
        const env = cleanEnv({
          GATEHOUSE_CONFIG_DIR: configDir,
          GATEHOUSE_BROWSER: `${process.execPath} ${join(REPO_ROOT, 'apps/e2e/test/fixtures/headless-browser.mjs')}`,
          HEADLESS_USER: user,
        });
        const [exported, login, whoami, curl] = human as [string, string, string, string];
        const run = (line: string) =>
          new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
            execFile(
              'bash',
              [...BASH, `${exported}\n${line}`],
              { cwd: REPO_ROOT, env },
              (err, stdout, stderr) =>
                resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
            ),
          );
        const loggedIn = await run(login);
        expect(loggedIn.code, loggedIn.stderr).toBe(0);
        expect(loggedIn.stderr).toContain(`Logged in as ${user}`);
        const who = await run(whoami);
        expect(who.code, who.stderr).toBe(0);
        expect(JSON.parse(who.stdout)).toMatchObject({ subject: user, authType: 'oidc', isAdmin });
        const admin = await run(`${curl} -o /dev/null -w '%{http_code}'`);
        expect(admin.stdout.trim()).toBe(String(adminStatus));
      } finally {
        rmSync(configDir, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!hasChromium)(
    "serves a live page that plots the apps' metrics while the sender runs (in chromium)",
    () =>
      onLivePage(async (page) => {
        // The page samples once a second; the demo's traffic comes in bursts every 1.25 s.
        await page.waitForFunction(() => Number(document.body.dataset.points) >= 6, undefined, {
          timeout: 30_000,
        });
        const accepted = await screenshotPixels(page.locator('#chart-decisions'), '#22c55e');
        const refusals = await screenshotPixels(page.locator('#chart-refusals'), '#f97316');
        expect(accepted.ofColor).toBeGreaterThan(100);
        expect(refusals.notBackground).toBeGreaterThan(refusals.total / 100);
        const apps = (await page.locator('#apps').textContent()) ?? '';
        for (const name of ['ingestion', 'analytics', 'analytics-koa']) {
          expect(apps).toContain(`${name}: ready, /metrics 200`);
        }
        const legend = (await page.locator('#l-refusals').textContent()) ?? '';
        expect(legend).toMatch(/missing_credentials/);
        expect(legend).toMatch(/forbidden|insufficient_scope/);
        // The new log entries, pushed over analytics' /v1/stream (a WebSocket behind Gatehouse) as the
        // background sender sends them.
        await page.waitForFunction(() => document.querySelectorAll('#entries li').length > 0, undefined, {
          timeout: 20_000,
        });
        expect(await page.locator('#v-stream').textContent()).toBe('open');
        expect(await page.locator('#entries li').first().textContent()).toMatch(
          /demo-sender|gatehouse-service/,
        );
      }),
    60_000,
  );

  it.skipIf(!hasChromium)(
    'plots the steady traffic as a steady line: rates over a sliding window, on an axis that stays put (in chromium)',
    () =>
      onLivePage(async (page) => {
        const chart = page.locator('#chart-decisions');
        const plotted = async () => JSON.parse((await chart.getAttribute('data-series')) ?? '[]') as number[];
        // What the decisions chart plots, point by point (one a second): with the demo's traffic (a burst
        // every 1.25 s, the sender every 2 s, the page's own scrapes) every point is about the same. A rate
        // over one scrape saws between a burst and none (3 ↔ 8 decisions/s).
        await page.waitForFunction(
          () => JSON.parse(document.getElementById('chart-decisions')?.dataset.series ?? '[]').length >= 10,
          undefined,
          { timeout: 40_000 },
        );
        const recent = (await plotted()).slice(-10);
        for (let i = 1; i < recent.length; i++) {
          const [a, b] = [recent[i - 1]!, recent[i]!];
          expect(Math.min(a, b), `decisions/s: ${recent.join(', ')}`).toBeGreaterThan(0);
          expect(Math.max(a, b) / Math.min(a, b), `decisions/s: ${recent.join(', ')}`).toBeLessThan(1.5);
        }
        // And the y axis keeps its scale from one sample to the next.
        const axes = new Set<string | null>();
        for (let i = 0; i < 5; i++) {
          const drawn = Number(await page.evaluate(() => document.body.dataset.points));
          await page.waitForFunction((n) => Number(document.body.dataset.points) > n, drawn);
          axes.add(await chart.getAttribute('data-axis-max'));
        }
        expect([...axes]).toHaveLength(1);
        expect(Number([...axes][0])).toBeGreaterThan(0);
      }),
    90_000,
  );

  it.runIf(hasRedis)(
    'prints a curl line that revokes the demo token on one ingestion instance, and both refuse it',
    async () => {
      expect(printed).toMatch(/^demo: redis-server on redis:\/\/127\.0\.0\.1:\d+/m);
      expect(printed).toMatch(/\[ingestion-2\] +ingestion listening on http:\/\/127\.0\.0\.1:\d+/);
      const { exports } = commands();
      const lines = printed.split('\n').map((l) => l.trim());
      const chain = lines.find((l) => l.startsWith('curl ') && l.includes(' && '))!;
      expect(lines[lines.indexOf(chain) - 1]).toMatch(/^# revoke TOKEN .*→ 201, then 401 from each/);
      const instances = [...chain.matchAll(/(http:\/\/\S+)\/v1\/whoami/g)].map((m) => m[1]!);
      expect(new Set(instances).size).toBe(2);
      const token = /^export TOKEN='(.+)'$/m.exec(exports.join('\n'))![1]!;
      const whoami = (url: string) =>
        fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
      for (const url of instances) expect((await whoami(url)).status).toBe(200);

      const env = cleanEnv({});
      const steps = chain.split(' && ');
      if (HAVE_CURL) {
        // As pasted: one line, three answers.
        const out = await new Promise<string>((resolve, reject) =>
          execFile('bash', [...BASH, [...exports, chain].join('\n')], { env }, (err, stdout, stderr) =>
            err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
          ),
        );
        expect(
          out
            .trim()
            .split('\n')
            .map((l) => /→ (\d{3})$/.exec(l)?.[1]),
        ).toEqual(['201', '401', '401']);
      } else {
        const statuses: number[] = [];
        for (const step of steps) {
          if (step === 'sleep 1') await new Promise((r) => setTimeout(r, 1000));
          else statuses.push(await runCurlLine(step, exports, env, { useCurl: false }));
        }
        expect(statuses).toEqual([201, 401, 401]);
      }
      for (const url of instances) {
        const refused = await whoami(url);
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
      }
    },
  );

  it.runIf(!hasRedis)('says plainly that revocations and limits run in-process without redis-server', () => {
    expect(printed).toMatch(/redis-server is not installed: revocations and limits run in-process/);
    expect(printed).not.toMatch(/ingestion-2/);
  });

  it('keeps the terminal readable after the welcome block: the logs go to files, a status line every 10 s', async () => {
    const logs = /^ {2}logs +(\S+)\/<service>\.log /m.exec(printed)?.[1];
    expect(logs).toBe(join(dataDir, 'demo-logs'));
    const since = () => demo.output().slice(printed.length);
    const status =
      /^demo \d\d:\d\d:\d\d · (since start|last 10 s): \d+ requests, \d+ refused( \(.+\))? · revocations in force: \d+$/;
    const deadline = Date.now() + 30_000;
    while (
      !since()
        .split('\n')
        .some((line) => status.test(line)) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Everything the earlier tests did (curl lines, logins, refusals, a revocation) stayed off the terminal.
    const lines = since()
      .split('\n')
      .filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(status);
    const ingestion = readFileSync(join(dataDir, 'demo-logs', 'ingestion.log'), 'utf8');
    expect(ingestion).toContain('ingestion listening on');
    expect(ingestion).toMatch(/"event":"http\.request"/);
    expect(ingestion).toMatch(/"event":"gatehouse\.auth\.rejected"/);
  });

  it('stops every process it started on Ctrl-C', async () => {
    const urls = [
      ...printed.matchAll(/^\s{2}(?:dev-idp|ingestion|analytics|analytics-koa|dashboard) +(http:\/\/\S+)/gm),
    ].map((m) => m[1]!);
    expect(urls).toHaveLength(5);
    // With Redis: the second ingestion instance, and the redis-server itself.
    urls.push(
      ...[...printed.matchAll(/\[ingestion-2\] +ingestion listening on (http:\/\/\S+)/g)].map((m) => m[1]!),
    );
    const redisPort = /^demo: redis-server on redis:\/\/127\.0\.0\.1:(\d+)/m.exec(printed)?.[1];
    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(demo.output()).toMatch(/demo: stopped\n$/);
    for (const url of urls) await expect(fetch(url)).rejects.toThrow();
    if (redisPort !== undefined) {
      const connected = await new Promise<boolean>((resolve) => {
        const socket = connect(Number(redisPort), '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      expect(connected).toBe(false);
    }
  });
});

describe('npm run demo without redis-server', () => {
  it('finds none on a PATH without it, and prints the plain in-process notice instead of the Redis lines', () => {
    expect(findRedisServer('redis-server', '/nonexistent:/also-missing')).toBeUndefined();
    const lines = sharedStateLines({
      redisUrl: undefined,
      ingestionUrls: ['http://127.0.0.1:1'],
      issuer: 'x',
      token: 'a.b.c',
    });
    expect(lines.join('\n')).toMatch(/redis-server is not installed: revocations and limits run in-process/);
    expect(lines.join('\n')).not.toMatch(/curl|admin\/revocations/);
  });
});

describe('npm run demo with a taken port', () => {
  it('says which port and which variable, and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = startDemo({
        ...Object.fromEntries(PORT_VARIABLES.map((v) => [v, '0'])),
        DEMO_INGESTION_PORT: String(port),
      });
      expect(await taken.exited).toBe(1);
      expect(taken.output().trim()).toBe(
        `demo: port ${port} (ingestion) is already in use (set DEMO_INGESTION_PORT to another port)`,
      );
    } finally {
      blocker.close();
    }
  });
});
