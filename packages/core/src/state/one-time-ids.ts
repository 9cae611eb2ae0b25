/**
 * The one-time-ids part of a shared state: "has this id been used?" for DPoP proof ids (RFC 9449
 * §11.1) and logout-token ids (OpenID Connect Back-Channel Logout §2.6).
 */

/** What a store answers to a claim. */
export type ClaimVerdict =
  /** Not seen before: the id is now claimed for its time to live. */
  | 'fresh'
  /** Already claimed (here or, for a shared store, on any instance): a replay. */
  | 'replayed'
  /**
   * Issued before what a store with bounded memory has had to forget, so it can no longer tell: refused
   * like a replay, never accepted.
   */
  | 'too_old';

/** One claim (see {@link OneTimeIds.claim}). */
export interface OneTimeClaim {
  /** What kind of id (`dpop-jti`, `logout-jti`): the same id in two scopes is two ids. */
  readonly scope: string;
  /** The id, as the sender chose it: any length, any characters. */
  readonly id: string;
  /** How long the id must be remembered, in seconds (its whole acceptance window). */
  readonly ttlSecs: number;
  /**
   * When what carries the id was issued (ms since the epoch), if known: a store whose memory is full
   * refuses (`too_old`) ids issued before the oldest id it forgot, instead of forgetting silently.
   */
  readonly issuedAt?: number;
}

/**
 * Ids that may be used once. Rules (checked by the conformance suite, `@gatehouse/core/state/conformance`):
 * - the first claim of an id in a scope is `fresh`, every later one `replayed` until `ttlSecs` have
 *   passed, on every instance sharing the store;
 * - `claim` never rejects: while the backend is unreachable each instance answers from the ids it has
 *   seen itself (so an id used here is still refused here);
 * - a store that answers from memory answers synchronously (no promise on the hot path).
 *
 * @example
 * ```ts
 * const verdict = await state.oneTimeIds.claim({ scope: 'dpop-jti', id: proof.jti, ttlSecs: 361 });
 * if (verdict !== 'fresh') throw new Error('replayed proof');
 * ```
 */
export interface OneTimeIds {
  /** Claims an id; see the rules above. */
  claim(claim: OneTimeClaim): ClaimVerdict | Promise<ClaimVerdict>;
  /**
   * Forgets a claim, everywhere (the work it guarded failed and the sender may retry). Never rejects.
   */
  release(scope: string, id: string): void | Promise<void>;
}
