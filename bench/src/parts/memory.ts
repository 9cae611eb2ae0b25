import { DEFAULTS, OidcAuthProvider } from '@gatehouse/core';
import { AUDIENCE, claims, createSigningKey, sign } from '../fixture.js';
import { KeyServer } from '../key-server.js';

/** Heap used after a full collection, in bytes (run with --expose-gc). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export interface MemoryResult {
  readonly tokens: number;
  readonly cacheSize: number;
  readonly alg: string;
  /** Tokens validated so far → heap used after GC, in bytes. */
  readonly checkpoints: Array<{ tokens: number; heapBytes: number }>;
}

/**
 * Validates `total` distinct tokens, each twice (so each is cached), through one OidcAuthProvider
 * (default cache: 1000 entries) and records the heap after GC at checkpoints. Bounded means the heap stops growing once the cache is full.
 */
async function measure(total: number): Promise<MemoryResult> {
  const key = await createSigningKey('EdDSA');
  const keyServer = await KeyServer.start([key.publicJwk]);
  const provider = new OidcAuthProvider({ issuers: [{ issuer: keyServer.issuer, audience: AUDIENCE }] });
  await provider.warmUp();
  const cacheSize = DEFAULTS.tokenCacheSize;
  const checkpoints = [{ tokens: 0, heapBytes: heapAfterGc() }];
  const marks = new Set([1_000, 2_000, 5_000, 10_000, 25_000, 50_000, 75_000, total]);
  const batch = 500;
  for (let done = 0; done < total; ) {
    const n = Math.min(batch, total - done);
    const tokens = await Promise.all(
      Array.from({ length: n }, (_, i) => sign(key, claims(keyServer.issuer, done + i))),
    );
    // Each token twice: the cache admits a token at its second verification, so this fills it.
    for (const token of tokens) {
      await provider.validateToken(token);
      await provider.validateToken(token);
    }
    if (provider.peek(tokens.at(-1)!) === undefined)
      throw new Error('the cache did not admit a token seen twice');
    done += n;
    if (marks.has(done)) checkpoints.push({ tokens: done, heapBytes: heapAfterGc() });
  }
  await keyServer.close();
  return { tokens: total, cacheSize, alg: 'EdDSA', checkpoints };
}

measure(Number(process.argv[2] ?? 100_000)).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
