import type { ConformanceTarget, Session } from './harness.js';

/** One rule of the conformance suite: what every store must do, and the test that checks it. */
export interface Rule {
  /** Stable id (`ids.once`), the first word of the test's name. */
  readonly id: string;
  /** The part it is about. */
  readonly part: 'oneTimeIds' | 'counters' | 'revocations' | 'bus' | 'lifecycle' | 'outage';
  /** The rule, in one sentence: the rest of the test's name. */
  readonly text: string;
  /** Needs instances that share (skipped for an in-process store). */
  readonly sharedOnly?: boolean;
  /** Needs the backend controls (skipped without them). */
  readonly needsBackend?: boolean;
  /** Longest the test may run. Default 10,000 ms. */
  readonly timeoutMs?: number;
  /** The check: throws when the store breaks the rule. */
  check(session: Session, target: ConformanceTarget): Promise<void>;
}
