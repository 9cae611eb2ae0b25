/**
 * Revocations made under traffic while a failover happens: every one answered (acknowledged) must be
 * in force on every instance afterwards; the others were refused (503). Counts both.
 */
import { randomUUID } from 'node:crypto';
import type { Revocation } from '@gatehouse/core/state';
import { waitFor } from '@gatehouse/testkit';
import type { RedisState } from '../../src/index.js';

/** What one run under a failover measured. */
export interface FailoverRun {
  readonly acknowledged: Revocation[];
  readonly refused: number;
}

/** Makes a revocation every `everyMs` on `maker` until `failover` resolves (and a little after). */
export async function revokeThrough(
  maker: RedisState,
  failover: () => Promise<unknown>,
  everyMs = 20,
): Promise<FailoverRun> {
  const acknowledged: Revocation[] = [];
  let refused = 0;
  let done = false;
  const traffic = (async () => {
    let n = 0;
    while (!done) {
      const now = Date.now();
      const r: Revocation = {
        id: `fo-${++n}-${randomUUID()}`,
        kind: 'jti',
        issuer: 'https://failover.example',
        jti: `jti-${n}`,
        createdAt: now,
        expiresAt: now + 3_600_000,
      };
      try {
        await maker.revocations.store(r);
        acknowledged.push(r);
      } catch {
        refused++;
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  await failover();
  await waitFor(() => maker.isReachable(), 20_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  done = true;
  await traffic;
  return { acknowledged, refused };
}
