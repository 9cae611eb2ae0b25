/**
 * What `npm run demo` lets through to the terminal (apps/demo/src/output.ts, status.ts): every line of
 * every service goes to its log file; the terminal gets start-up lines, then only what went wrong and a
 * status line; DEMO_LOGS=1 brings the full stream back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoOutput, statusLine, type Totals } from '@gatehouse/demo';
import { afterEach, describe, expect, it } from 'vitest';

const json = (level: number, event: string) => JSON.stringify({ level, service: 'ingestion', event });
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function output(full: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'demo-logs-'));
  dirs.push(dir);
  const terminal: string[] = [];
  let now = 0;
  const out = new DemoOutput({
    dir,
    full,
    quiet: ['dev-idp'],
    write: (text) => terminal.push(text.trimEnd()),
    now: () => now,
  });
  return { out, dir, terminal, advance: (ms: number) => (now += ms) };
}

describe('the demo terminal', () => {
  it('shows start-up lines, then only problems; every line is in the service file', async () => {
    const { out, terminal, advance } = output(false);
    out.sink('ingestion', 'stdout', 'ingestion listening on http://127.0.0.1:4401');
    out.sink('dev-idp', 'stdout', 'issuer     http://127.0.0.1:4400');
    out.startedUp();
    out.sink('ingestion', 'stdout', 'ingestion: a plain line after start-up');
    out.sink('ingestion', 'stdout', json(30, 'http.request'));
    out.sink('ingestion', 'stdout', json(40, 'gatehouse.auth.rejected')); // the demo's own bad tokens
    out.sink('ingestion', 'stdout', json(40, 'gatehouse.jwks.fetch_failed'));
    out.sink('ingestion', 'stdout', json(40, 'gatehouse.jwks.fetch_failed')); // the same, again: once
    out.sink('ingestion', 'stdout', json(50, 'gatehouse.state.unreachable'));
    out.sink('ingestion', 'stderr', 'ingestion: something broke');
    advance(31_000);
    out.sink('ingestion', 'stdout', json(40, 'gatehouse.jwks.fetch_failed')); // 30 s later: shown again
    expect(terminal).toEqual([
      '[ingestion]      ingestion listening on http://127.0.0.1:4401',
      `[ingestion]      ${json(40, 'gatehouse.jwks.fetch_failed')}`,
      `[ingestion]      ${json(50, 'gatehouse.state.unreachable')}`,
      '[ingestion]      ingestion: something broke',
      `[ingestion]      ${json(40, 'gatehouse.jwks.fetch_failed')}`,
    ]);
    const file = out.fileOf('ingestion');
    await out.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(9);
  });

  it('DEMO_LOGS=1: every line on the terminal too', async () => {
    const { out, terminal, dir } = output(true);
    out.startedUp();
    out.sink('ingestion', 'stdout', json(30, 'http.request'));
    out.sink('dev-idp', 'stdout', 'issuer     http://127.0.0.1:4400');
    expect(terminal).toHaveLength(2);
    await out.close();
    expect(readFileSync(join(dir, 'dev-idp.log'), 'utf8')).toBe('issuer     http://127.0.0.1:4400\n');
  });

  it('writes nothing after close (a late line never truncates a file)', async () => {
    const { out, dir } = output(false);
    out.sink('ingestion', 'stdout', 'first');
    await out.close();
    out.sink('ingestion', 'stdout', 'late');
    expect(readFileSync(join(dir, 'ingestion.log'), 'utf8')).toBe('first\n');
  });
});

describe('the status line', () => {
  const totals = (accepted: number, codes: Record<string, number>, revocations = 0): Totals => ({
    outcomes: { accepted, rejected: Object.values(codes).reduce((a, b) => a + b, 0) },
    codes,
    buckets: {},
    cache: { hit: 0, miss: 0 },
    jwks: { success: 0, failure: 0 },
    rateLimited: 0,
    revocations,
  });
  const at = new Date(2026, 0, 1, 12, 3, 4);

  it('counts the requests and refusals since the last line, the top reasons, and the revocations in force', () => {
    const before = totals(10, { forbidden: 2, invalid_token: 1 });
    const now = totals(60, { forbidden: 8, invalid_token: 5, missing_credentials: 5, unknown_issuer: 1 }, 1);
    expect(statusLine(now, before, at, 10)).toBe(
      'demo 12:03:04 · last 10 s: 66 requests, 16 refused ' +
        '(forbidden 6, missing_credentials 5, invalid_token 4, +1 more) · revocations in force: 1',
    );
  });

  it('the first line counts since the apps started; no refusal, no reasons', () => {
    expect(statusLine(totals(7, {}), undefined, at, 10)).toBe(
      'demo 12:03:04 · since start: 7 requests, 0 refused · revocations in force: 0',
    );
  });
});
