/**
 * Rate-limit overshoot (contract: "at most 10 % + one request per instance"): three instances, each with
 * its own Redis state and rate limiter as an app holds them, share one identity's quota; requests go to
 * them in turn, twice the quota per trial, each trial a new identity (its counter in another slot on a
 * cluster). Admitted − quota is the overshoot. With a failover, it is forced after a third of the trials
 * and trials go on until it is over and a third more: while an instance cannot reach Redis it counts alone (contract), so
 * those trials show what a failover costs.
 */
import { createAuthContext, RateLimiter } from '@gatehouse/core';
import { createRedisState, type RedisState } from '@gatehouse/redis';
import { FailoverWindow } from './failover-window.js';

export interface OvershootResult {
  readonly instances: number;
  readonly quota: number;
  readonly trials: number;
  /** Admitted − quota: mean, and the largest. */
  readonly meanOver: number;
  readonly maxOver: number;
  /** Trials above the contract's bound (10 % + one per instance). */
  readonly aboveBound: number;
  /** How long the failover took, when there was one. */
  readonly failoverMs?: number;
}

const INSTANCES = 3;
const QUOTA = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `trials` trials (more while a failover lasts) on the Redis at `url`. */
export async function measureOvershoot(
  url: string,
  trials: number,
  failover?: () => Promise<unknown>,
): Promise<OvershootResult> {
  const keyPrefix = `overshoot-${Date.now()}:`;
  const states: RedisState[] = Array.from({ length: INSTANCES }, () => createRedisState({ url, keyPrefix }));
  try {
    for (const state of states) if (!(await state.ready(15_000))) throw new Error('redis not reachable');
    while (states.some((s) => s.counters.instances() < INSTANCES)) await sleep(50);
    // A fixed clock in the middle of a minute: no trial straddles a window.
    const now = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
    const limiters = states.map(
      (s) => new RateLimiter({ requests: QUOTA, windowSecs: 60 }, s.counters, () => now),
    );
    const overs: number[] = [];
    const window = new FailoverWindow(trials, failover);
    for (let t = 0; window.step(t); t++) {
      const auth = createAuthContext({ subject: `bench-${t}`, issuer: 'https://bench', authType: 'oidc' });
      let admitted = 0;
      for (let i = 0; i < 2 * QUOTA; i++) {
        if ((await limiters[i % INSTANCES]!.check(auth)) === undefined) admitted++;
        await sleep(1); // the pace of requests over HTTP: background leases have time to land
      }
      overs.push(admitted - QUOTA);
    }
    await window.done();
    const bound = Math.floor(QUOTA * 0.1) + INSTANCES;
    return {
      instances: INSTANCES,
      quota: QUOTA,
      trials: overs.length,
      meanOver: overs.reduce((a, b) => a + b, 0) / overs.length,
      maxOver: Math.max(...overs),
      aboveBound: overs.filter((o) => o > bound).length,
      failoverMs: window.tookMs,
    };
  } finally {
    await Promise.all(states.map((s) => s.close()));
  }
}
