/** The revocation part of a shared state. */
import type { Revocation } from './revocation.js';
import type { RevocationList } from './revocation-list.js';

/**
 * The in-memory revocation index a store keeps current: the methods of `RevocationList`, structurally
 * (so that two copies of core, ESM and CommonJS, accept each other's stores).
 */
export type RevocationIndex = Pick<
  RevocationList,
  'size' | 'covers' | 'get' | 'has' | 'list' | 'add' | 'delete' | 'replaceAll' | 'prune' | 'onChange'
>;

/**
 * Revocations shared by the instances. Rules (checked by the conformance suite):
 * - {@link inForce} is memory only: the hot path reads it synchronously, and the store keeps it current
 *   in the background (a change made on any instance is in force on every other within 1 s);
 * - {@link store} resolves only once the revocation is stored for every instance *and* in force here;
 *   it rejects with a `state_unavailable` error (and then it is in force nowhere new) when it cannot;
 * - {@link lift} resolves true once lifted (false for an unknown id) and rejects likewise;
 * - an instance that starts later, or reconnects, loads every revocation in force;
 * - while the backend is unreachable, what was in force stays in force;
 * - a backend that comes back empty gets back the revocations the instances know.
 *
 * @example
 * ```ts
 * await state.revocations.store({ id: 'r1', kind: 'api_key', apiKey: 'billing', createdAt: Date.now(), expiresAt: null });
 * state.revocations.inForce.has('r1'); // true, here at once and on every instance within 1 s
 * ```
 */
export interface RevocationStore {
  /** The revocations in force on this instance (a `RevocationList`), read synchronously. */
  readonly inForce: RevocationIndex;
  /** Stores a revocation for every instance and puts it in force here (see the rules above). */
  store(revocation: Revocation): Promise<void>;
  /** Lifts a revocation on every instance: false when no revocation has this id. */
  lift(id: string): Promise<boolean>;
}
