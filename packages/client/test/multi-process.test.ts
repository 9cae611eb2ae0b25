import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureBuilt, REPO_ROOT, startTestIssuer, type TestIssuer } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileTokenStore, createOidcClient, createUserTokenSource } from '../src/index.js';
import { tempDir } from './helpers/fixtures.js';
import { headlessLogin } from './helpers/login.js';

const CHILD = fileURLToPath(new URL('./fixtures/refresh-child.mjs', import.meta.url));
let issuer: TestIssuer;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt(['client']);
  issuer = await startTestIssuer();
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => {
  await issuer?.close();
  await cleanup?.();
});

describe('two processes sharing one token file', () => {
  it('refresh once: the second process waits for the lock, re-reads the file and uses the new token', async () => {
    const { idp, proxy } = issuer;
    const path = join(dir, 'shared.json');
    const client = createOidcClient({ issuer: idp.issuer, clientId: 'gatehouse-cli' });
    await createUserTokenSource(client, {
      store: createFileTokenStore({ path }),
      login: headlessLogin(client, idp),
    }).getToken();

    // Make the stored access token expiring (inside its 60 s buffer) and the provider slow to refresh, so
    // both processes are inside getToken() at the same time.
    const doc = JSON.parse(await readFile(path, 'utf8'));
    const now = Math.floor(Date.now() / 1000);
    Object.assign(doc, { obtained_at: now - 570, expires_at: now + 30 });
    await writeFile(path, JSON.stringify(doc));
    proxy.reset();
    proxy.delay('refresh_token', 400);

    const startAt = String(Date.now() + 1500);
    const run = () =>
      promisify(execFile)(process.execPath, [CHILD, idp.issuer, path, proxy.origin, startAt], {
        cwd: REPO_ROOT,
      }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const outputs = await Promise.all([run(), run()]);
    const results = outputs.map((o) => JSON.parse(o.stdout) as { token?: string; error?: string });

    expect(results.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(results[0]!.token).not.toBe(doc.access_token);
    expect(results[1]!.token).toBe(results[0]!.token);
    expect(proxy.count('refresh_token')).toBe(1);
    expect(JSON.parse(await readFile(path, 'utf8')).access_token).toBe(results[0]!.token);
  });
});
