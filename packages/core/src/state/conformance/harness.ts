/** What the conformance suite is given, and the small tools its rules share. */
import { randomUUID } from 'node:crypto';
import type { Revocation } from '../revocation.js';
import type { SharedState } from '../shared-state.js';

/**
 * The test functions of the caller's runner: vitest's and jest's `describe` and `it` as they are
 * (node:test: `it: (name, fn, timeout) => test(name, { timeout }, fn)`). Core does not depend on a
 * runner; assertions use `node:assert`.
 */
export interface ConformanceRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): void;
}

/** The store under test. */
export interface ConformanceTarget {
  /**
   * Opens one instance of the store on `namespace`, as one process of a service would hold it, and
   * resolves once it is ready (connected, revocations loaded). Instances on the same namespace share
   * their state; namespaces are separate (a key prefix, a database).
   */
  open(namespace: string): SharedState | Promise<SharedState>;
  /** False for an in-process store: the rules about other instances are skipped. */
  readonly shared: boolean;
  /** Controls over the backend, when the test can break it: the outage rules run only with them. */
  readonly backend?: {
    /** Stops the backend abruptly (no goodbye): every instance loses it. */
    kill(): Promise<void>;
    /** Starts it again, with its data or empty. */
    restart(options: { keepData: boolean }): Promise<void>;
  };
  /** How long instances may take to come back after a restart. Default 10,000 ms. */
  readonly reconnectMs?: number;
}

/** The instances one rule opened, closed when it ends. */
export class Session {
  readonly namespace = `conf-${randomUUID().slice(0, 8)}`;
  private readonly opened: SharedState[] = [];

  constructor(private readonly target: ConformanceTarget) {}

  /** Opens `n` instances on this rule's namespace (or `namespace`). */
  async open(n = 1, namespace = this.namespace): Promise<SharedState[]> {
    const made: SharedState[] = [];
    for (let i = 0; i < n; i++) {
      const state = await this.target.open(namespace);
      this.opened.push(state);
      made.push(state);
    }
    return made;
  }

  async close(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((s) => s.close().catch(() => {})));
  }
}

/** Runs `body` with a fresh session, closing what it opened. */
export function withSession(
  target: ConformanceTarget,
  body: (session: Session) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const session = new Session(target);
    try {
      await body(session);
    } finally {
      await session.close();
    }
  };
}

/** Polls until `predicate` holds; throws `what` after `timeoutMs`. Returns the milliseconds taken. */
export async function eventually(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 1000,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await predicate()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let made = 0;

/** A revocation by `jti` (or the fields given), with a fresh id. */
export function revocation(fields: Partial<Revocation> = {}): Revocation {
  made++;
  const now = Date.now();
  return {
    id: `conf-${made}-${randomUUID()}`,
    kind: 'jti',
    issuer: 'https://issuer.conformance.example',
    jti: `jti-${made}`,
    createdAt: now,
    expiresAt: now + 3_600_000,
    ...fields,
  } as Revocation;
}

/** Whether `run` throws or rejects (a refusal), rather than answering. */
export async function refuses(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err ?? new Error('rejected');
  }
  return undefined;
}
