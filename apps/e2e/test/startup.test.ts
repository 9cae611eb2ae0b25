/**
 * Each built app refuses to start on missing or malformed configuration (one line on stderr naming the
 * variable and the field, no stack trace, exit 1), refuses disabled auth in production, and says which
 * variable to change when its port is taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from './helpers/http.js';
import { runBuilt, startApp } from './helpers/processes.js';

const APPS = ['ingestion', 'analytics', 'analytics-koa'] as const;
const SECRET = 'do-not-print-this-secret-0042';

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'startup-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const refusals: [string, Record<string, string>, RegExp][] = [
  [
    'nothing configured',
    {},
    /no credentials are configured: set GATEHOUSE_API_KEYS and\/or GATEHOUSE_OIDC_CONFIG/,
  ],
  [
    'malformed JSON',
    { GATEHOUSE_API_KEYS: `[{"name":"a","key":"${SECRET}"` },
    /GATEHOUSE_API_KEYS: is not valid JSON/,
  ],
  [
    'an issuer without audience',
    { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"issuer":"http://127.0.0.1:4400"}]}' },
    /GATEHOUSE_OIDC_CONFIG: "issuers\[0\]\.audience" is required/,
  ],
  ['an empty key', { GATEHOUSE_API_KEYS: '[{"name":"a","key":""}]' }, /GATEHOUSE_API_KEYS: "\[0\]\.key"/],
  [
    'an http issuer off loopback',
    { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"issuer":"http://idp.example.com","audience":"a"}]}' },
    /GATEHOUSE_OIDC_CONFIG: "issuers\[0\]\.issuer"/,
  ],
  [
    'disabled auth under NODE_ENV=production',
    {
      GATEHOUSE_DISABLE_AUTH: '1',
      NODE_ENV: 'production',
      GATEHOUSE_API_KEYS: `[{"name":"a","key":"${SECRET}"}]`,
    },
    /GATEHOUSE_DISABLE_AUTH: is refused when NODE_ENV=production/,
  ],
  [
    'a bad PORT',
    { PORT: 'http', GATEHOUSE_API_KEYS: '[{"name":"a","key":"k"}]' },
    /PORT must be a port number/,
  ],
];

describe.each(APPS)('%s at start-up', (name) => {
  it('refuses bad configuration with one line naming the variable and the field', async () => {
    const results = await Promise.all(
      refusals.map(([, env]) => runBuilt(name, { TELEMETRY_DATA_DIR: dataDir, ...env })),
    );
    results.forEach((result, i) => {
      const [label, , message] = refusals[i]!;
      expect(result.code, label).toBe(1);
      expect(result.stderr.trim(), label).toMatch(new RegExp(`^${name}: .*${message.source}`));
      expect(result.stderr.trim().split('\n'), `${label}: one line, no stack`).toHaveLength(1);
      expect(result.stdout + result.stderr, label).not.toContain(SECRET);
    });
  });

  it('names the port and PORT when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runBuilt(name, {
        PORT: String(port),
        TELEMETRY_DATA_DIR: dataDir,
        GATEHOUSE_API_KEYS: '[{"name":"a","key":"k"}]',
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `${name}: port ${port} on 127.0.0.1 is already in use (set PORT to another port)`,
      );
    } finally {
      blocker.close();
    }
  });
});

describe('GATEHOUSE_DISABLE_AUTH=1 in development', () => {
  it('starts with a loud warning and lets every request in as the anonymous developer', async () => {
    const app = await startApp('analytics-koa', { GATEHOUSE_DISABLE_AUTH: '1', TELEMETRY_DATA_DIR: dataDir });
    try {
      expect(app.stderr()).toContain('AUTHENTICATION IS DISABLED');
      const res = await getJson(`${app.url}/v1/whoami`);
      expect(res.body).toMatchObject({ subject: 'anonymous-developer', isAdmin: true });
    } finally {
      expect(await app.stop('SIGINT')).toEqual({ code: 0, signal: null });
    }
  });
});
