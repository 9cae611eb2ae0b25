import assert from 'node:assert/strict';
import { type ConformanceTarget, eventually, refuses, revocation } from './harness.js';
import type { Rule } from './rule.js';

/** How fast an instance must notice that its backend is gone. */
const NOTICE_MS = 3000;

// Kills the backend for `body`, and makes sure it runs again afterwards whatever happens.
async function withOutage(
  target: ConformanceTarget,
  body: (restart: (keepData: boolean) => Promise<void>) => Promise<void>,
) {
  const backend = target.backend!;
  let down = true;
  await backend.kill();
  try {
    await body(async (keepData) => {
      await backend.restart({ keepData });
      down = false;
    });
  } finally {
    if (down) await backend.restart({ keepData: true });
  }
}

const claim = (id: string) => ({ scope: 'dpop-jti', id, ttlSecs: 60 });

/** The rules of a store whose backend fails (checked when the test can stop and start it). */
export const OUTAGE_RULES: readonly Rule[] = [
  {
    id: 'outage.enforce',
    part: 'outage',
    text: 'with the backend down: not reachable within 3 s, revocations stay in force, store/lift reject with state_unavailable and change nothing, counters refuse, claims answer from memory, publish reaches this instance',
    needsBackend: true,
    timeoutMs: 30_000,
    async check(session, target) {
      const [a] = await session.open();
      const kept = revocation();
      await a!.revocations.store(kept);
      assert.equal(await a!.oneTimeIds.claim(claim('before')), 'fresh');
      await withOutage(target, async () => {
        await eventually('isReachable() false', () => !a!.isReachable(), NOTICE_MS);
        assert.equal(a!.counters.isReachable(), false);
        assert.equal(a!.revocations.inForce.has(kept.id), true, 'still in force');
        const refused = revocation();
        const err = (await refuses(() => a!.revocations.store(refused))) as { code?: string } | undefined;
        assert.equal(err?.code, 'state_unavailable', 'store() rejects with state_unavailable');
        assert.equal(a!.revocations.inForce.has(refused.id), false, 'a refused revocation is not in force');
        const liftErr = (await refuses(() => a!.revocations.lift(kept.id))) as { code?: string } | undefined;
        assert.equal(liftErr?.code, 'state_unavailable', 'lift() rejects with state_unavailable');
        assert.equal(a!.revocations.inForce.has(kept.id), true, 'a refused lift lifts nothing');
        assert.ok(
          await refuses(() =>
            a!.counters.lease({ key: 'rl:x:1', limit: 5, want: 1, debt: 0, ttlMs: 60_000 }),
          ),
        );
        assert.ok(await refuses(() => a!.counters.increment('fa:x:1', 1, 60_000)));
        assert.equal(await a!.oneTimeIds.claim(claim('before')), 'replayed', 'seen here before the outage');
        assert.equal(await a!.oneTimeIds.claim(claim('during')), 'fresh');
        assert.equal(await a!.oneTimeIds.claim(claim('during')), 'replayed', 'seen here during the outage');
        const got: string[] = [];
        a!.bus.subscribe('conf-down', (m) => got.push(m));
        await a!.bus.publish('conf-down', 'local');
        assert.deepEqual(got, ['local']);
      });
    },
  },
  {
    id: 'outage.recover',
    part: 'outage',
    text: 'back with its data: every instance is reachable again and shares changes again',
    needsBackend: true,
    timeoutMs: 40_000,
    async check(session, target) {
      const [a, b] = await session.open(2);
      const before = revocation();
      await a!.revocations.store(before);
      await eventually('shared', () => b!.revocations.inForce.has(before.id), 1000);
      await withOutage(target, async (restart) => {
        await eventually('down', () => !a!.isReachable() && !b!.isReachable(), NOTICE_MS);
        await restart(true);
      });
      await eventually(
        'reachable again',
        () => a!.isReachable() && b!.isReachable(),
        target.reconnectMs ?? 10_000,
      );
      const after = revocation();
      await b!.revocations.store(after);
      await eventually('shared again', () => a!.revocations.inForce.has(after.id), 1000);
      assert.equal(a!.revocations.inForce.has(before.id), true);
      assert.notEqual(
        await a!.counters.lease({ key: 'rl:back:1', limit: 5, want: 1, debt: 0, ttlMs: 60_000 }),
        undefined,
      );
    },
  },
  {
    id: 'outage.empty',
    part: 'outage',
    text: 'back empty: the instances put back the revocations they know, an instance opened afterwards has them, and a lift after that holds',
    needsBackend: true,
    sharedOnly: true,
    timeoutMs: 40_000,
    async check(session, target) {
      const [a, b] = await session.open(2);
      const r1 = revocation();
      const r2 = revocation({
        kind: 'api_key',
        apiKey: 'billing',
        issuer: undefined,
        jti: undefined,
        expiresAt: null,
      });
      await a!.revocations.store(r1);
      await b!.revocations.store(r2);
      await eventually(
        'shared',
        () => a!.revocations.inForce.size === 2 && b!.revocations.inForce.size === 2,
        1000,
      );
      await withOutage(target, async (restart) => {
        await eventually('down', () => !a!.isReachable() && !b!.isReachable(), NOTICE_MS);
        await restart(false);
      });
      await eventually(
        'reachable again',
        () => a!.isReachable() && b!.isReachable(),
        target.reconnectMs ?? 10_000,
      );
      assert.equal(a!.revocations.inForce.size, 2, 'nothing was lost here');
      const [fresh] = await session.open();
      await eventually(
        'put back',
        () => fresh!.revocations.inForce.has(r1.id) && fresh!.revocations.inForce.has(r2.id),
        2000,
      );
      assert.equal(await a!.revocations.lift(r1.id), true);
      await eventually(
        'lifted everywhere',
        () => !b!.revocations.inForce.has(r1.id) && !fresh!.revocations.inForce.has(r1.id),
        1000,
      );
    },
  },
];
