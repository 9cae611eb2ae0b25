import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevIdp, type DevIdpOptions, startDevIdp } from '@gatehouse/dev-idp';
import { type CountingProxy, startCountingProxy } from './counting-proxy.js';

/** The shared test issuer: the dev IdP on loopback with a counting proxy in front of it. */
export interface TestIssuer {
  idp: DevIdp;
  proxy: CountingProxy;
  close(): Promise<void>;
}

export async function startTestIssuer(options: DevIdpOptions = {}): Promise<TestIssuer> {
  const idp = await startDevIdp(options);
  const proxy = await startCountingProxy(idp.issuer);
  return {
    idp,
    proxy,
    async close() {
      await proxy.close();
      await idp.close();
    },
  };
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(
  prefix = 'gatehouse-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A clock that stands still until moved. */
export function fixedClock(startMs = Date.now()): { now: () => number; advance: (secs: number) => void } {
  let current = startMs;
  return {
    now: () => current,
    advance: (secs) => {
      current += secs * 1000;
    },
  };
}
