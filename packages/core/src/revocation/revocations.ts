import { DEFAULTS } from '../config/defaults.js';
import type { AuthContext } from '../context.js';
import { TokenRevokedError } from '../errors.js';
import type { Revocation } from '../state/revocation.js';
import type { RevocationStore } from '../state/revocation-store.js';

/** What `POST /v1/admin/revocations` accepts: exactly one selector. */
export type RevocationSelector =
  | { readonly jti: string; readonly issuer: string }
  | { readonly subject: string; readonly issuer: string }
  | { readonly apiKey: string };

/** Options of {@link Revocations}. */
export interface RevocationOptions {
  /**
   * The longest a token of a configured issuer lives (`exp` − `iat`), in seconds: a revocation by `jti`,
   * subject or session is kept that long (plus the clock tolerance), after which nothing it covers can
   * still be valid. Default 86400 (24 h). API key revocations last until lifted.
   */
  readonly maxTokenLifetimeSecs?: number;
  /** Clock skew tolerated on `exp` (as for tokens). Default 60. */
  readonly clockToleranceSecs?: number;
  /** Current time in milliseconds (for tests). */
  readonly now?: () => number;
}

/**
 * Revocation, on top of the revocation part of a shared state: makes revocations (with an id and an
 * expiry), lifts and lists them, and answers the hot path's question "is this identity revoked?" from
 * memory.
 *
 * @example
 * ```ts
 * const revocations = new Revocations(state.revocations);
 * const made = await revocations.revoke({ subject: 'alice', issuer: 'https://login.example.com' });
 * revocations.check(auth); // TokenRevokedError for alice's older tokens, on every instance
 * await revocations.lift(made.id);
 * ```
 */
export class Revocations {
  private readonly lifetimeMs: number;
  private readonly now: () => number;

  constructor(
    readonly store: RevocationStore,
    options: RevocationOptions = {},
  ) {
    const lifetime = options.maxTokenLifetimeSecs ?? DEFAULTS.revocationMaxTokenLifetimeSecs;
    const tolerance = options.clockToleranceSecs ?? DEFAULTS.clockToleranceSecs;
    this.lifetimeMs = (lifetime + tolerance) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Number of revocations in force here (the hot path skips {@link check} while it is 0). */
  get size(): number {
    return this.store.inForce.size;
  }

  /** The 401 for an identity that a revocation in force covers, else undefined (a `Map` lookup or two). */
  check(auth: AuthContext): TokenRevokedError | undefined {
    const revocation = this.store.inForce.covers(auth);
    return revocation === undefined ? undefined : new TokenRevokedError(revocation.id, auth.issuer);
  }

  /**
   * Revokes what `selector` names, on every instance. Resolves once it is stored and in force here;
   * rejects with `StateUnavailableError` when the shared store cannot be reached.
   */
  async revoke(selector: RevocationSelector): Promise<Revocation> {
    const createdAt = this.now();
    const base = { id: crypto.randomUUID(), createdAt, source: 'admin' as const };
    let revocation: Revocation;
    if ('apiKey' in selector) {
      revocation = { ...base, kind: 'api_key', apiKey: selector.apiKey, expiresAt: null };
    } else if ('jti' in selector) {
      revocation = {
        ...base,
        kind: 'jti',
        issuer: selector.issuer,
        jti: selector.jti,
        expiresAt: createdAt + this.lifetimeMs,
      };
    } else {
      revocation = {
        ...base,
        kind: 'subject',
        issuer: selector.issuer,
        subject: selector.subject,
        issuedBefore: Math.floor(createdAt / 1000),
        expiresAt: createdAt + this.lifetimeMs,
      };
    }
    await this.store.store(revocation);
    return revocation;
  }

  /**
   * "Log out everywhere" from a verified logout token: the issuer's tokens of `subject` (or of session
   * `sid` when there is no subject) issued before `issuedBefore` (seconds).
   */
  async logout(logout: {
    issuer: string;
    subject?: string;
    sid?: string;
    issuedBefore: number;
  }): Promise<Revocation> {
    const createdAt = this.now();
    const selected =
      logout.subject !== undefined
        ? { kind: 'subject' as const, subject: logout.subject }
        : { kind: 'session' as const, sid: logout.sid! };
    const revocation: Revocation = {
      id: crypto.randomUUID(),
      ...selected,
      issuer: logout.issuer,
      issuedBefore: logout.issuedBefore,
      createdAt,
      expiresAt: Math.max(createdAt, logout.issuedBefore * 1000) + this.lifetimeMs,
      source: 'backchannel_logout',
    };
    await this.store.store(revocation);
    return revocation;
  }

  /** Lifts a revocation on every instance: false for an unknown id; rejects when the store is unreachable. */
  lift(id: string): Promise<boolean> {
    return this.store.lift(id);
  }

  /** The revocations in force, oldest first (expired ones dropped). */
  list(): Revocation[] {
    this.store.inForce.prune(this.now());
    return this.store.inForce.list();
  }
}
