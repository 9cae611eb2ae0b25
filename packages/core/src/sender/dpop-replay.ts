import type { AuditLogger } from '../audit.js';
import { DEFAULTS } from '../config/defaults.js';
import { sha256 } from '../platform/digest.js';
import type { ClaimVerdict, OneTimeIds } from '../state/one-time-ids.js';

/** The answer of {@link ReplayGuard.claim}. */
export type ReplayVerdict = ClaimVerdict;

/** Options of {@link ReplayGuard}. */
export interface ReplayGuardOptions {
  /** How long an id must be remembered, in seconds: the proof's whole acceptance window. */
  readonly ttlSecs: number;
  /** The one-time-ids part of the shared state: the only memory of proof ids. */
  readonly ids: OneTimeIds;
  /** How long to wait for a store that answers asynchronously before admitting. Default 1000 ms. */
  readonly timeoutMs?: number;
  readonly logger?: AuditLogger;
}

/** The scope of DPoP proof ids in the one-time ids. */
const DPOP_JTI_SCOPE = 'dpop-jti';

/**
 * Accepts each DPoP proof `jti` (per key) once (RFC 9449 §11.1), through the state's one-time ids and
 * nothing else: the in-process store answers synchronously (no promise on the hot path); a shared store
 * answers for every instance, and from its own memory of what this instance saw while its backend is
 * unreachable. A store that neither answers nor fails within `timeoutMs` does not hold requests: the
 * proof is admitted, and the guard says once in the log that the store is not answering.
 *
 * @example
 * ```ts
 * const guard = new ReplayGuard({ ttlSecs: 361, ids: new MemoryState().oneTimeIds });
 * guard.claim(jkt, jti, iat); // 'fresh', then 'replayed'
 * ```
 */
export class ReplayGuard {
  private readonly ttlSecs: number;
  private readonly timeoutMs: number;
  private readonly ids: OneTimeIds;
  private readonly logger: AuditLogger | undefined;
  private storeDown = false;

  constructor(options: ReplayGuardOptions) {
    this.ttlSecs = options.ttlSecs;
    this.ids = options.ids;
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.dpopReplayStoreTimeoutMs;
    this.logger = options.logger;
  }

  /**
   * Claims the proof `jti` of key `jkt`, issued at `iatSecs`; `skewSecs` is how far in the future an
   * accepted `iat` may lie. Synchronous when the store is.
   */
  claim(jkt: string, jti: string, iatSecs: number, skewSecs = 0): ReplayVerdict | Promise<ReplayVerdict> {
    // Hashed: ids are sender-chosen (any length); the key binds the id to its key (another key's proof
    // with the same jti is another proof).
    const id = sha256(`${jkt} ${jti}`, 'base64url');
    // The earliest moment the proof could have been claimed: its iat, less the future skew allowed.
    const issuedAt = (iatSecs - skewSecs) * 1000;
    let answer: ReplayVerdict | Promise<ReplayVerdict>;
    try {
      answer = this.ids.claim({ scope: DPOP_JTI_SCOPE, id, ttlSecs: this.ttlSecs, issuedAt });
    } catch (err) {
      return this.unanswered(err);
    }
    return typeof answer === 'string' ? answer : this.await(answer);
  }

  private async await(answer: Promise<ReplayVerdict>): Promise<ReplayVerdict> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const verdict = await Promise.race([
        answer,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer in time')), this.timeoutMs);
        }),
      ]);
      if (this.storeDown) {
        this.storeDown = false;
        this.logger?.info({ event: 'gatehouse.dpop.replay_store_restored' }, 'DPoP replay store answering');
      }
      return verdict;
    } catch (err) {
      return this.unanswered(err);
    } finally {
      clearTimeout(timer);
    }
  }

  // A store that broke its rule (it must not reject) or does not answer: admit, say so once.
  private unanswered(err: unknown): ReplayVerdict {
    if (!this.storeDown) {
      this.storeDown = true;
      this.logger?.warn(
        {
          event: 'gatehouse.dpop.replay_store_unreachable',
          reason: err instanceof Error ? err.message : String(err),
        },
        'DPoP replay store not answering: proofs admitted on what the store knows',
      );
    }
    return 'fresh';
  }
}
