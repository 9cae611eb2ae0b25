/**
 * `@gatehouse/core/state/conformance`: the one definition of a correct shared-state store. Every store
 * (the in-process `MemoryState`, `@gatehouse/redis` on one server, a cluster or Sentinel, a third
 * party's on Valkey GLIDE or a database) runs it from its own tests and passes it. The rules are listed
 * in {@link STATE_RULES}; each becomes one test named `<id>: <rule>`.
 */
import { BUS_RULES } from './bus.rules.js';
import { COUNTER_RULES } from './counters.rules.js';
import type { ConformanceRunner, ConformanceTarget } from './harness.js';
import { withSession } from './harness.js';
import { ONE_TIME_ID_RULES } from './one-time-ids.rules.js';
import { OUTAGE_RULES } from './outage.rules.js';
import { REVOCATION_RULES } from './revocations.rules.js';
import type { Rule } from './rule.js';

export type { ConformanceRunner, ConformanceTarget } from './harness.js';
export type { Rule } from './rule.js';

/** Every rule a store must keep, by part (their ids, texts and checks). */
export const STATE_RULES: readonly Rule[] = [
  ...ONE_TIME_ID_RULES,
  ...COUNTER_RULES,
  ...REVOCATION_RULES,
  ...BUS_RULES,
  ...OUTAGE_RULES,
];

/**
 * Declares the conformance suite for `target` with the caller's test runner: one `describe` named
 * `name`, one test per rule that applies (rules about other instances need `shared`, outage rules need
 * `backend`). Tests run one after the other on the target's backend.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { runStateConformance } from '@gatehouse/core/state/conformance';
 *
 * runStateConformance({ describe, it }, 'my store', {
 *   shared: true,
 *   open: async (namespace) => {
 *     const state = createMyState({ url, keyPrefix: `${namespace}:` });
 *     await state.ready();
 *     return state;
 *   },
 *   backend: { kill: () => server.kill(), restart: ({ keepData }) => server.restart({ keepData }) },
 * });
 * ```
 */
export function runStateConformance(
  runner: ConformanceRunner,
  name: string,
  target: ConformanceTarget,
  rules: readonly Rule[] = STATE_RULES,
): void {
  runner.describe(name, () => {
    for (const rule of rules) {
      if (rule.sharedOnly && !target.shared) continue;
      if (rule.needsBackend && target.backend === undefined) continue;
      runner.it(
        `${rule.id}: ${rule.text}`,
        withSession(target, (session) => rule.check(session, target)),
        rule.timeoutMs ?? 10_000,
      );
    }
  });
}
