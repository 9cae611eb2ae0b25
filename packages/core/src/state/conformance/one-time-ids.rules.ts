import assert from 'node:assert/strict';
import { sleep } from './harness.js';
import type { Rule } from './rule.js';

const claim = (id: string, scope = 'dpop-jti', ttlSecs = 60) => ({ scope, id, ttlSecs });

/** The rules of the one-time-ids part. */
export const ONE_TIME_ID_RULES: readonly Rule[] = [
  {
    id: 'ids.once',
    part: 'oneTimeIds',
    text: 'the first claim of an id is fresh and every later one is replayed',
    async check(session) {
      const [a] = await session.open();
      assert.equal(await a!.oneTimeIds.claim(claim('proof-1')), 'fresh');
      assert.equal(await a!.oneTimeIds.claim(claim('proof-1')), 'replayed');
      assert.equal(await a!.oneTimeIds.claim(claim('proof-1')), 'replayed');
      assert.equal(await a!.oneTimeIds.claim(claim('proof-2')), 'fresh');
    },
  },
  {
    id: 'ids.distinct',
    part: 'oneTimeIds',
    text: 'scopes are separate, and ids of any length and characters never collide',
    async check(session) {
      const [a] = await session.open();
      const ids = ['x:y', 'x\u0000y', 'x', 'x:', ':x', 'ü{é}', 'x'.repeat(10_000), 'x'.repeat(10_001)];
      for (const id of ids)
        assert.equal(await a!.oneTimeIds.claim(claim(id)), 'fresh', `"${id.slice(0, 20)}"`);
      for (const id of ids) {
        assert.equal(await a!.oneTimeIds.claim(claim(id, 'logout-jti')), 'fresh', 'another scope');
        assert.equal(await a!.oneTimeIds.claim(claim(id)), 'replayed');
      }
    },
  },
  {
    id: 'ids.shared',
    part: 'oneTimeIds',
    text: 'an id claimed on one instance is replayed on every other',
    sharedOnly: true,
    async check(session) {
      const [a, b, c] = await session.open(3);
      assert.equal(await a!.oneTimeIds.claim(claim('shared-1')), 'fresh');
      assert.equal(await b!.oneTimeIds.claim(claim('shared-1')), 'replayed');
      assert.equal(await c!.oneTimeIds.claim(claim('shared-1')), 'replayed');
      // Concurrent claims of one id on several instances: exactly one is fresh.
      const answers = await Promise.all([a, b, c, a, b, c].map((s) => s!.oneTimeIds.claim(claim('raced-1'))));
      assert.equal(answers.filter((v) => v === 'fresh').length, 1, `answers ${answers.join(',')}`);
    },
  },
  {
    id: 'ids.release',
    part: 'oneTimeIds',
    text: 'a released id can be claimed again, on every instance',
    async check(session, target) {
      const states = await session.open(target.shared ? 2 : 1);
      const [a] = states;
      const b = states[states.length - 1]!;
      assert.equal(await a!.oneTimeIds.claim(claim('released-1')), 'fresh');
      await a!.oneTimeIds.release('dpop-jti', 'released-1');
      assert.equal(await b.oneTimeIds.claim(claim('released-1')), 'fresh');
      assert.equal(await a!.oneTimeIds.claim(claim('released-1')), 'replayed');
    },
  },
  {
    id: 'ids.ttl',
    part: 'oneTimeIds',
    text: 'an id is forgotten once its time to live has passed',
    async check(session) {
      const [a] = await session.open();
      assert.equal(await a!.oneTimeIds.claim(claim('short-1', 'dpop-jti', 1)), 'fresh');
      assert.equal(await a!.oneTimeIds.claim(claim('short-1', 'dpop-jti', 1)), 'replayed');
      await sleep(1300);
      assert.equal(await a!.oneTimeIds.claim(claim('short-1', 'dpop-jti', 1)), 'fresh');
    },
  },
];
