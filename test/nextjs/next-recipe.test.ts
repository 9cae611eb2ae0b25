import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The Next.js 16 recipe (apps/next-recipe) built and served for real: `next build && next start`, with
// proxy.ts and route handlers behind @gatehouse/web, configured by GATEHOUSE_* only.
const root = fileURLToPath(new URL('../..', import.meta.url));
const app = join(root, 'apps/next-recipe');
const next = join(root, 'node_modules/next/dist/bin/next');
const built = existsSync(join(root, 'packages/web/dist/index.js'));
const KEY = 'next-recipe-key-123';
const ADMIN_KEY = 'next-recipe-admin-456';
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  NODE_ENV: 'production',
  GATEHOUSE_API_KEYS: JSON.stringify([
    { name: 'reader', key: KEY },
    { name: 'operator', key: ADMIN_KEY },
  ]),
  GATEHOUSE_ADMINS: JSON.stringify(['operator']),
};

describe.skipIf(!built)('the Next.js 16 recipe (next build && next start; npm test builds first)', () => {
  let server: ChildProcess;
  let base: string;
  let output = '';

  beforeAll(async () => {
    // The build runs without the GATEHOUSE_* variables, as a real build would.
    execFileSync(process.execPath, [next, 'build'], {
      cwd: app,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [next, 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (c: Buffer) => {
      output += c;
    });
    server.stderr!.on('data', (c: Buffer) => {
      output += c;
    });
    await waitFor(
      async () => (await fetch(`${base}/api/health`).catch(() => undefined))?.status === 200,
      60_000,
      100,
    );
  }, 300_000);

  afterAll(() => {
    server?.kill();
  });

  const get = (path: string, key?: string) =>
    fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('serves the public route without credentials', async () => {
    const res = await get('/api/health');
    expect(res.status, output).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('refuses in proxy.ts with the RFC 6750 challenge and the JSON body, never echoing the token', async () => {
    const missing = await get('/api/plain');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse"$/);
    const refusal = (await missing.json()) as { error: unknown; error_description: unknown };
    expect(typeof refusal.error).toBe('string');
    expect(typeof refusal.error_description).toBe('string');
    const wrong = await get('/api/plain', 'not-the-key');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const body = await wrong.text();
    expect(body).not.toContain('not-the-key');
    expect(JSON.parse(body).error).toBe('invalid_token');
    expect((await get('/api/plain', KEY)).status).toBe(200);
  });

  it('hands the identity to a route handler wrapped with withGatehouse', async () => {
    const res = await get('/api/whoami', KEY);
    expect(res.status, output).toBe(200);
    expect(await res.json()).toMatchObject({ subject: 'reader', authType: 'api_key', isAdmin: false });
  });

  it('applies the route rule of auth.admin(): 403 for a reader, 200 for an admin', async () => {
    const denied = await get('/api/admin/status', KEY);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: string }).error).toBe('forbidden');
    expect((await get('/api/admin/status', ADMIN_KEY)).status).toBe(200);
  });
});
