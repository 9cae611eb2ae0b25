import type { Revocation } from './revocation.js';
import type { RevocationList } from './revocation-list.js';

/**
 * What {@link SharedState.revocations} offers: the methods of `RevocationList`, structurally (so that two
 * copies of core, ESM and CommonJS, accept each other's stores).
 */
export type RevocationIndex = Pick<
  RevocationList,
  'size' | 'covers' | 'get' | 'has' | 'list' | 'add' | 'delete' | 'replaceAll' | 'prune' | 'onChange'
>;

/** A request for a slice of a rate-limit window's quota (see {@link SharedState.lease}). */
export interface LeaseRequest {
  /** The counter: one per identity and window (the store may hash or prefix it). */
  readonly key: string;
  /** The window's quota, summed over every instance. */
  readonly limit: number;
  /** How many requests the caller would like to admit from this slice. */
  readonly want: number;
  /** Requests already admitted on credit, charged before anything is granted (may exceed the limit). */
  readonly debt: number;
  /** How long the counter must live: until its window ends, plus a margin. */
  readonly ttlMs: number;
}

/** The answer to a {@link LeaseRequest}. */
export interface LeaseResult {
  /** Requests the caller may admit now (0 to `want`). */
  readonly granted: number;
  /** The window's total count after this lease (debt and grant included), over every instance. */
  readonly used: number;
}

/**
 * What Gatehouse shares between the instances of a service: revocations, rate-limit counters, failed
 * authentication counters, one-time ids and a small broadcast. `MemoryState` (the default) keeps it
 * in this process; `@gatehouse/redis` shares it on Redis. Core only ever talks to this interface.
 *
 * Rules every implementation keeps:
 * - The hot path never waits on the store: {@link revocations} is an in-memory list that the store keeps
 *   current in the background; everything asynchronous is for writes and background work.
 * - The store may be unreachable at any time. Then every instance keeps enforcing what it knows, writes
 *   that must be shared (a revocation) reject with `StateUnavailableError`, and counters and one-time ids
 *   fall back to this instance's memory.
 *
 * @example
 * ```ts
 * const state: SharedState = new MemoryState();
 * if (await state.claimOnce('dpop-jti', proof.jti, 300)) {
 *   // first sighting: accept the proof
 * }
 * ```
 */
export interface SharedState {
  /** `memory`, `redis`, …: shown in readiness answers and logs. */
  readonly kind: string;

  /**
   * Readiness: whether the store answers right now (always true in process). Synchronous and cheap,
   * kept current in the background: what `GET /ready` reports as the `redis` component.
   */
  isReachable(): boolean;

  /**
   * Claims a one-time id (a DPoP proof's `jti`, a logout token's `jti`) within `scope` for `ttlSecs`:
   * resolves true the first time the id is claimed, false for a replay. Shared by every instance while
   * the store is reachable; while it is not, each instance answers from the ids it has seen itself.
   * Never rejects.
   */
  claimOnce(scope: string, id: string, ttlSecs: number): Promise<boolean>;

  /** Forgets a claim (when the work it guarded failed and the sender may retry). Never rejects. */
  releaseClaim(scope: string, id: string): Promise<void>;

  /** The revocations in force on this instance (a `RevocationList`): read synchronously on the hot path. */
  readonly revocations: RevocationIndex;

  /**
   * Stores a revocation for every instance and puts it in force here. Resolves once both are done;
   * rejects with `StateUnavailableError` when it cannot be stored (and then it is not in force).
   */
  storeRevocation(revocation: Revocation): Promise<void>;

  /**
   * Lifts a revocation on every instance. Resolves false when no revocation has this id; rejects with
   * `StateUnavailableError` when the store cannot be reached.
   */
  liftRevocation(id: string): Promise<boolean>;

  /**
   * Takes a slice of a rate-limit window's quota, atomically over every instance: charges `debt`, then
   * grants up to `want`. Synchronous when the store is in process. Rejects (or throws) when the store
   * cannot be reached; the caller then counts on its own.
   */
  lease(request: LeaseRequest): LeaseResult | Promise<LeaseResult>;

  /**
   * Adds `by` to a shared counter that lives `ttlMs`, returning the total over every instance.
   * Rejects when the store cannot be reached.
   */
  increment(key: string, by: number, ttlMs: number): number | Promise<number>;

  /** Instances sharing this store that were alive in the last few seconds (1 in process). */
  instances(): number;

  /**
   * Sends a short message to every instance's subscribers of `topic`, this one included. Resolves once
   * the store has delivered it to the subscribers' connections; never rejects.
   */
  publish(topic: string, message: string): Promise<void>;

  /** Receives the messages of `topic`; returns the function that unsubscribes. */
  subscribe(topic: string, listener: (message: string) => void): () => void;

  /** Stops background work and closes connections. */
  close(): Promise<void>;
}
