import assert from 'node:assert/strict';
import { eventually, revocation } from './harness.js';
import type { Rule } from './rule.js';

/** The contract's bound: a change made on one instance is in force on every other within 1 s. */
const PROPAGATION_MS = 1000;

/** The rules of the revocation part. */
export const REVOCATION_RULES: readonly Rule[] = [
  {
    id: 'revocations.store',
    part: 'revocations',
    text: 'a revocation is in force here when store() resolves; lift() lifts it here when it resolves, true once, then false',
    async check(session) {
      const [a] = await session.open();
      const r = revocation();
      await a!.revocations.store(r);
      assert.equal(a!.revocations.inForce.has(r.id), true, 'in force at once');
      assert.deepEqual(a!.revocations.inForce.get(r.id), r);
      assert.ok(a!.revocations.inForce.list().some((x) => x.id === r.id));
      assert.equal(await a!.revocations.lift(r.id), true);
      assert.equal(a!.revocations.inForce.has(r.id), false, 'lifted at once');
      assert.equal(await a!.revocations.lift(r.id), false);
      assert.equal(await a!.revocations.lift('never-stored'), false);
    },
  },
  {
    id: 'revocations.replace',
    part: 'revocations',
    text: 'storing a revocation with the same id again replaces it',
    async check(session) {
      const [a] = await session.open();
      const r = revocation();
      await a!.revocations.store(r);
      const later = { ...r, expiresAt: r.expiresAt! + 1000 };
      await a!.revocations.store(later);
      assert.equal(a!.revocations.inForce.list().filter((x) => x.id === r.id).length, 1);
      assert.deepEqual(a!.revocations.inForce.get(r.id), later);
    },
  },
  {
    id: 'revocations.propagate',
    part: 'revocations',
    text: 'a revocation stored or lifted on one instance is in force, or lifted, on every other within 1 s',
    sharedOnly: true,
    async check(session) {
      const [a, b, c] = await session.open(3);
      const r = revocation({
        kind: 'api_key',
        apiKey: 'billing',
        issuer: undefined,
        jti: undefined,
        expiresAt: null,
      });
      await a!.revocations.store(r);
      await eventually(
        'in force everywhere',
        () => b!.revocations.inForce.has(r.id) && c!.revocations.inForce.has(r.id),
        PROPAGATION_MS,
      );
      assert.equal(await b!.revocations.lift(r.id), true);
      await eventually(
        'lifted everywhere',
        () => !a!.revocations.inForce.has(r.id) && !c!.revocations.inForce.has(r.id),
        PROPAGATION_MS,
      );
      assert.equal(await c!.revocations.lift(r.id), false);
    },
  },
  {
    id: 'revocations.load',
    part: 'revocations',
    text: 'an instance opened later has every revocation in force once it is ready',
    sharedOnly: true,
    async check(session) {
      const [a] = await session.open();
      const made = [
        revocation(),
        revocation({ kind: 'subject', jti: undefined, subject: 'alice', issuedBefore: 1 }),
      ];
      for (const r of made) await a!.revocations.store(r);
      const [late] = await session.open();
      await eventually(
        'loaded',
        () => made.every((r) => late!.revocations.inForce.has(r.id)),
        PROPAGATION_MS,
      );
    },
  },
];
