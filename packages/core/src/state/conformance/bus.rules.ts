import assert from 'node:assert/strict';
import { eventually, sleep } from './harness.js';
import type { Rule } from './rule.js';

/** The rules of the change bus and of the lifecycle. */
export const BUS_RULES: readonly Rule[] = [
  {
    id: 'bus.deliver',
    part: 'bus',
    text: 'a message reaches every subscriber of its topic on every instance, this one included, within 1 s, and no other topic',
    async check(session, target) {
      const states = await session.open(target.shared ? 3 : 1);
      const got = states.map(() => [] as string[]);
      const other: string[] = [];
      for (const [i, s] of states.entries()) {
        s.bus.subscribe('conf-topic', (m) => {
          got[i]!.push(m);
        });
      }
      states[0]!.bus.subscribe('conf-other', (m) => other.push(m));
      // Give subscriptions a moment to reach a networked backend.
      await sleep(target.shared ? 200 : 0);
      await states[0]!.bus.publish('conf-topic', 'hello');
      await eventually('delivered everywhere', () => got.every((g) => g.includes('hello')), 1000);
      await sleep(50);
      assert.deepEqual(
        got.map((g) => g.length),
        got.map(() => 1),
        'each message once',
      );
      assert.deepEqual(other, []);
    },
  },
  {
    id: 'bus.listeners',
    part: 'bus',
    text: 'an unsubscribed listener gets nothing more, and a listener that throws does not stop the others',
    async check(session, target) {
      const [a] = await session.open();
      const kept: string[] = [];
      const dropped: string[] = [];
      a!.bus.subscribe('conf-l', () => {
        throw new Error('a failing subscriber');
      });
      a!.bus.subscribe('conf-l', (m) => kept.push(m));
      const stop = a!.bus.subscribe('conf-l', (m) => dropped.push(m));
      await sleep(target.shared ? 200 : 0);
      await a!.bus.publish('conf-l', 'one');
      await eventually('delivered', () => kept.length === 1 && dropped.length === 1, 1000);
      stop();
      await a!.bus.publish('conf-l', 'two');
      await eventually('delivered', () => kept.length === 2, 1000);
      await sleep(50);
      assert.deepEqual(dropped, ['one']);
    },
  },
  {
    id: 'lifecycle.open',
    part: 'lifecycle',
    text: 'kind is a non-empty string, isReachable() is true once open, and close() resolves (twice too)',
    async check(session) {
      const [a] = await session.open();
      assert.equal(typeof a!.kind, 'string');
      assert.ok(a!.kind.length > 0);
      assert.equal(a!.isReachable(), true);
      await a!.close();
      await a!.close();
    },
  },
];
