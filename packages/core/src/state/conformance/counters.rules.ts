import assert from 'node:assert/strict';
import { eventually, sleep } from './harness.js';
import type { Rule } from './rule.js';

const lease = (key: string, limit: number, want: number, debt = 0, ttlMs = 60_000) => ({
  key,
  limit,
  want,
  debt,
  ttlMs,
});

/** The rules of the counters part. */
export const COUNTER_RULES: readonly Rule[] = [
  {
    id: 'counters.lease',
    part: 'counters',
    text: 'a lease charges its debt, then grants up to want of what is left, and answers the total used',
    async check(session) {
      const [a] = await session.open();
      const c = a!.counters;
      assert.deepEqual(await c.lease(lease('rl:alice:1', 10, 4)), { granted: 4, used: 4 });
      assert.deepEqual(await c.lease(lease('rl:alice:1', 10, 4, 2)), { granted: 4, used: 10 });
      assert.deepEqual(await c.lease(lease('rl:alice:1', 10, 1)), { granted: 0, used: 10 });
      // Debt is charged even past the limit; nothing more is granted.
      assert.deepEqual(await c.lease(lease('rl:alice:1', 10, 5, 3)), { granted: 0, used: 13 });
    },
  },
  {
    id: 'counters.atomic',
    part: 'counters',
    text: 'concurrent leases, from every instance, never grant more than the limit in total',
    async check(session, target) {
      const states = await session.open(target.shared ? 3 : 1);
      const leases = Array.from({ length: 60 }, (_, i) =>
        Promise.resolve(states[i % states.length]!.counters.lease(lease('rl:burst:1', 100, 3))),
      );
      const granted = (await Promise.all(leases)).reduce((sum, r) => sum + r.granted, 0);
      assert.equal(granted, 100);
      assert.deepEqual(await states[0]!.counters.lease(lease('rl:burst:1', 100, 1)), {
        granted: 0,
        used: 100,
      });
    },
  },
  {
    id: 'counters.increment',
    part: 'counters',
    text: 'increments add up over every instance, and distinct keys (any characters) are distinct counters',
    async check(session, target) {
      const states = await session.open(target.shared ? 2 : 1);
      const a = states[0]!;
      const b = states[states.length - 1]!;
      assert.equal(await a.counters.increment('fa:192.0.2.1:7', 1, 60_000), 1);
      assert.equal(await b.counters.increment('fa:192.0.2.1:7', 2, 60_000), 3);
      assert.equal(await a.counters.increment('fa:192.0.2.1:8', 1, 60_000), 1);
      assert.equal(await a.counters.increment('fa:2001:db8::1:7', 1, 60_000), 1);
      assert.equal(await a.counters.increment('fa:x{y}z:7', 1, 60_000), 1);
      assert.equal(await a.counters.increment('x', 5, 60_000), 5);
      assert.deepEqual(await b.counters.lease(lease('fa:192.0.2.1:7', 10, 1)), { granted: 1, used: 4 });
    },
  },
  {
    id: 'counters.ttl',
    part: 'counters',
    text: 'a counter starts again from 0 once its time to live (from its first write) has passed',
    async check(session) {
      const [a] = await session.open();
      assert.equal(await a!.counters.increment('fa:ttl:1', 1, 600), 1);
      assert.equal(await a!.counters.increment('fa:ttl:1', 1, 600), 2);
      await sleep(900);
      assert.equal(await a!.counters.increment('fa:ttl:1', 1, 600), 1);
      assert.deepEqual(await a!.counters.lease(lease('rl:ttl:1', 5, 5, 0, 600)), { granted: 5, used: 5 });
      await sleep(900);
      assert.deepEqual(await a!.counters.lease(lease('rl:ttl:1', 5, 5, 0, 600)), { granted: 5, used: 5 });
    },
  },
  {
    id: 'counters.instances',
    part: 'counters',
    text: 'instances() counts the live instances sharing the store within 2 s (1 in process)',
    async check(session, target) {
      const states = await session.open(target.shared ? 3 : 1);
      const expected = states.length;
      await eventually(
        `instances() = ${expected} on every instance`,
        () => states.every((s) => s.counters.instances() === expected),
        2000,
      );
      assert.equal(states[0]!.counters.isReachable(), true);
    },
  },
];
