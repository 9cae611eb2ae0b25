/**
 * HTTP traffic through app instances while Redis fails over: revocations posted on every instance in
 * turn (each revokes an API key of its own, so that each can be checked with a real credential
 * afterwards), and ordinary authenticated requests, whose answers must never be 5xx.
 */
import { call, revoke } from './instances.js';
import type { RunningProcess } from './processes.js';

/** What one failover under traffic produced. */
export interface FailoverTraffic {
  /** API key names whose revocation was answered 201. */
  readonly acknowledged: string[];
  /** Revocations answered 503 (not stored, or not confirmed by a replica). */
  readonly refused: number;
  /** Any other answer, as `<app> <status>` (none is expected). */
  readonly unexpected: string[];
  /** Ordinary requests made meanwhile, and those not answered 200. */
  readonly requests: number;
  readonly failedRequests: string[];
}

/**
 * Posts a revocation of `<names[n]>` every `everyMs` (instances in turn) and a `whoami` with
 * `trafficKey` on every instance, from before `failover()` starts until every instance is ready again
 * (`/ready` 200) and `settleMs` more.
 */
export async function trafficThrough(
  apps: readonly RunningProcess[],
  options: { adminKey: string; trafficKey: string; names: readonly string[]; everyMs?: number },
  failover: () => Promise<unknown>,
  settleMs = 300,
): Promise<FailoverTraffic> {
  const out: { -readonly [K in keyof FailoverTraffic]: FailoverTraffic[K] } = {
    acknowledged: [],
    refused: 0,
    unexpected: [],
    requests: 0,
    failedRequests: [],
  };
  let done = false;
  const revocations = (async () => {
    for (let n = 0; !done && n < options.names.length; n++) {
      const app = apps[n % apps.length]!;
      const name = options.names[n]!;
      try {
        const res = await revoke(app, options.adminKey, { apiKey: name });
        await res.body?.cancel();
        if (res.status === 201) out.acknowledged.push(name);
        else if (res.status === 503) out.refused++;
        else out.unexpected.push(`${app.name} ${res.status}`);
      } catch (err) {
        out.unexpected.push(`${app.name} ${(err as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 30));
    }
  })();
  const requests = (async () => {
    while (!done) {
      await Promise.all(
        apps.map(async (app) => {
          out.requests++;
          try {
            const res = await call(`${app.url}/v1/whoami`, options.trafficKey);
            await res.body?.cancel();
            if (res.status !== 200) out.failedRequests.push(`${app.name} ${res.status}`);
          } catch (err) {
            out.failedRequests.push(`${app.name} ${(err as Error).message}`);
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await failover();
    await allReady(apps, 30_000);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  } finally {
    done = true;
    await Promise.all([revocations, requests]);
  }
  return out;
}

/** Resolves once every instance's `/ready` answers 200 (Redis reachable and in sync). */
export async function allReady(apps: readonly RunningProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(
      apps.map(async (app) => {
        const res = await fetch(`${app.url}/ready`);
        await res.body?.cancel();
        return res.status;
      }),
    );
    if (statuses.every((s) => s === 200)) return;
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms: ${statuses.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
