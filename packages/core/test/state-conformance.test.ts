import { type ConformanceRunner, runStateConformance, STATE_RULES } from '@gatehouse/core/state/conformance';
import { describe, expect, it } from 'vitest';
import { composeState, MemoryState, type SharedState } from '../src/state/index.js';

// The one conformance suite on the in-process store.
runStateConformance({ describe, it }, 'MemoryState', { shared: false, open: () => new MemoryState() });

// The suite can fail: each store below breaks one rule, and the rule's test fails on it.
describe('the conformance suite refuses a store that breaks a rule', () => {
  const broken: [string, string, () => SharedState][] = [
    [
      'ids.once',
      'one-time ids that never remember',
      () => mix({ oneTimeIds: { claim: () => 'fresh', release: () => {} } }),
    ],
    [
      'counters.lease',
      'leases that ignore the debt',
      () => {
        const real = new MemoryState().counters;
        return mix({
          counters: {
            lease: (r) => real.lease({ ...r, debt: 0 }),
            increment: (k, by, ttl) => real.increment(k, by, ttl),
            instances: () => 1,
            isReachable: () => true,
          },
        });
      },
    ],
    [
      'revocations.store',
      'a store that acknowledges before the revocation is in force here',
      () => {
        const real = new MemoryState().revocations;
        return mix({
          revocations: {
            inForce: real.inForce,
            store: async (r) => void setTimeout(() => real.inForce.add(r), 20),
            lift: real.lift,
          },
        });
      },
    ],
    [
      'bus.listeners',
      'a bus that stops at a failing subscriber',
      () => {
        const listeners: ((m: string) => void)[] = [];
        return mix({
          bus: {
            publish: async (_t, m) => {
              for (const l of listeners) l(m);
            },
            subscribe: (_t, l) => {
              listeners.push(l);
              return () => listeners.splice(listeners.indexOf(l), 1);
            },
          },
        });
      },
    ],
  ];

  it.each(broken)('%s fails on %s', async (id, _, open) => {
    const tests = collect({ shared: false, open });
    const test = tests.get(id);
    expect(test, id).toBeDefined();
    await expect(test!()).rejects.toThrow();
    // The same rule passes on the real store: the failure is the broken part's.
    await collect({ shared: false, open: () => new MemoryState() }).get(id)!();
  });

  it('lists every rule once, each with a part and a sentence', () => {
    const ids = STATE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of STATE_RULES) expect(rule.text.length).toBeGreaterThan(20);
  });
});

// A MemoryState with one part replaced.
function mix(parts: Partial<Pick<SharedState, 'oneTimeIds' | 'counters' | 'revocations' | 'bus'>>) {
  const base = new MemoryState();
  return composeState({
    oneTimeIds: parts.oneTimeIds ?? base.oneTimeIds,
    counters: parts.counters ?? base.counters,
    revocations: parts.revocations ?? base.revocations,
    bus: parts.bus ?? base.bus,
    stores: [base],
  });
}

// The suite's tests by rule id, collected through a runner that only records them.
function collect(target: Parameters<typeof runStateConformance>[2]): Map<string, () => Promise<void>> {
  const tests = new Map<string, () => Promise<void>>();
  const runner: ConformanceRunner = {
    describe: (_name, body) => body(),
    it: (name, body) => tests.set(name.split(':')[0]!, body),
  };
  runStateConformance(runner, 'collected', target);
  return tests;
}
