import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findRuntime, type RuntimeName } from '@gatehouse/testkit';
import { describe, expect, it } from 'vitest';
import { serveWorker } from './workerd.js';

// Core and @gatehouse/web, from their published builds, on each runtime: which signature backend the
// known-answer tests choose there, an API key admitted and a refusal answered through a Web Request,
// and DPoP proofs of four algorithms (signed on that runtime with WebCrypto) verified by core, on the
// chosen backends and on WebCrypto alone.
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixture/${name}`, import.meta.url));
const built = ['core', 'web'].every((p) => existsSync(`${root}packages/${p}/dist/index.js`));

interface SelfTest {
  readonly backends: Record<'RSA' | 'EC' | 'OKP', 'node' | 'webcrypto'>;
  readonly process: string;
  readonly proofs: Record<string, boolean | string>;
  readonly apiKey: string;
  readonly refusal: { status: number; challenge: string; body: { error: string; error_description: string } };
}

function expectSameAnswers(result: SelfTest): void {
  expect(result.proofs).toEqual({ ES256: true, RS256: true, PS256: true, EdDSA: true });
  expect(result.apiKey).toBe('svc');
  expect(result.refusal).toEqual({
    status: 401,
    challenge: 'Bearer realm="runtime", error="invalid_token", error_description="invalid credentials"',
    body: { error: 'invalid_token', error_description: 'invalid credentials' },
  });
}

const ARGS: Record<Exclude<RuntimeName, 'workerd'>, string[]> = {
  node: [],
  bun: [],
  deno: ['run', '--allow-read', '--allow-env'],
};

describe.skipIf(!built)('core on Node, Bun and Deno (npm test builds first)', () => {
  describe.each(Object.keys(ARGS) as (keyof typeof ARGS)[])('%s', (runtime) => {
    const bin = findRuntime(runtime);
    const run = (backend: string): SelfTest =>
      JSON.parse(
        execFileSync(bin!, [...ARGS[runtime], fixture('cli.mjs'), backend], {
          cwd: root,
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, NO_COLOR: '1' },
        }),
      );

    it.skipIf(!bin)('verifies with node:crypto, which passes its known answers there', () => {
      const result = run('auto');
      expect(result.backends).toEqual({ RSA: 'node', EC: 'node', OKP: 'node' });
      expectSameAnswers(result);
    });

    it.skipIf(!bin)('gives the same answers on WebCrypto alone', () => {
      const result = run('webcrypto');
      expect(result.backends).toEqual({ RSA: 'webcrypto', EC: 'webcrypto', OKP: 'webcrypto' });
      expectSameAnswers(result);
    });
  });
});

describe.skipIf(!built || !findRuntime('workerd'))(
  'core on Cloudflare workerd (npm test builds first)',
  () => {
    it('without nodejs_compat: no process, no node: modules; WebCrypto and the JavaScript digests serve', async () => {
      const worker = await serveWorker(fixture('worker.mjs'), { compatibilityDate: '2025-06-01' });
      try {
        const result = (await (await fetch(`${worker.url}/?backend=auto`)).json()) as SelfTest;
        expect(result.process).toBe('undefined');
        expect(result.backends).toEqual({ RSA: 'webcrypto', EC: 'webcrypto', OKP: 'webcrypto' });
        expectSameAnswers(result);
      } finally {
        await worker.close();
      }
    });

    it('with nodejs_compat: node:crypto where it passes its known answers (Ed25519), WebCrypto for the rest', async () => {
      const worker = await serveWorker(fixture('worker.mjs'), {
        compatibilityDate: '2025-06-01',
        compatibilityFlags: ['nodejs_compat'],
      });
      try {
        const result = (await (await fetch(`${worker.url}/?backend=auto`)).json()) as SelfTest;
        expect(result.process).toBe('object');
        // workerd's node:crypto fails the RSA and ECDSA known answers; the choice is made per key type.
        expect(result.backends).toEqual({ RSA: 'webcrypto', EC: 'webcrypto', OKP: 'node' });
        expectSameAnswers(result);
        expectSameAnswers((await (await fetch(`${worker.url}/?backend=webcrypto`)).json()) as SelfTest);
      } finally {
        await worker.close();
      }
    });
  },
);
