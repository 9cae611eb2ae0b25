import type { AuthContext } from '../context.js';
import type { Revocation } from './revocation.js';

type Index = Map<string, Map<string, Revocation[]>>;

/**
 * The revocations in force on this instance, indexed for the hot path: {@link covers} is a few `Map`
 * lookups, and nothing at all while the list is empty. Every store keeps one of these in memory and
 * updates it in the background (the in-process store directly; `@gatehouse/redis` from pub/sub and
 * resyncs), so a request never waits on the store, and tokens already in the validated-token cache are
 * caught too (the check runs after the cache).
 *
 * @example
 * ```ts
 * const list = new RevocationList();
 * list.add({ id: 'r1', kind: 'api_key', apiKey: 'billing', createdAt: Date.now(), expiresAt: null });
 * list.covers(auth); // the revocation when auth is the API key "billing", else undefined
 * ```
 */
export class RevocationList {
  private readonly byId = new Map<string, Revocation>();
  /** issuer → jti → revocations. */
  private readonly jtis: Index = new Map();
  /** issuer → subject → revocations (API key names under the issuer `api_key`). */
  private readonly subjects: Index = new Map();
  /** issuer → sid → revocations. */
  private readonly sessions: Index = new Map();
  private readonly listeners = new Set<() => void>();

  /** Number of revocations in force. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * The revocation that covers this identity, if any: its `jti` from its issuer; its subject from its
   * issuer when its `iat` is earlier than the revocation's `issuedBefore` (or it has no `iat`); its
   * session (`sid`) likewise; an API key by name.
   */
  covers(auth: AuthContext): Revocation | undefined {
    if (this.byId.size === 0) return undefined;
    const claims = auth.claims;
    if (this.jtis.size > 0) {
      const jti = claims.jti;
      if (typeof jti === 'string') {
        const found = this.jtis.get(auth.issuer)?.get(jti);
        if (found !== undefined) return found[0];
      }
    }
    if (this.subjects.size > 0) {
      const found = this.subjects.get(auth.issuer)?.get(auth.subject);
      if (found !== undefined) {
        const hit = coveringByIat(found, claims.iat);
        if (hit !== undefined) return hit;
      }
    }
    if (this.sessions.size > 0) {
      const sid = claims.sid;
      if (typeof sid === 'string') {
        const found = this.sessions.get(auth.issuer)?.get(sid);
        if (found !== undefined) return coveringByIat(found, claims.iat);
      }
    }
    return undefined;
  }

  /** The revocation with this id, if in force. */
  get(id: string): Revocation | undefined {
    return this.byId.get(id);
  }

  /** Whether a revocation with this id is in force. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Every revocation in force, oldest first. */
  list(): Revocation[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Puts a revocation in force (replacing one with the same id). */
  add(revocation: Revocation): void {
    if (this.byId.has(revocation.id)) this.unindex(this.byId.get(revocation.id)!);
    this.byId.set(revocation.id, revocation);
    const slot = locate(revocation);
    if (slot !== undefined) {
      const [index, issuer, key] = slot(this);
      let inner = index.get(issuer);
      if (inner === undefined) {
        inner = new Map();
        index.set(issuer, inner);
      }
      const list = inner.get(key);
      if (list === undefined) inner.set(key, [revocation]);
      else list.push(revocation);
    }
    this.changed();
  }

  /** Lifts a revocation; false when none had this id. */
  delete(id: string): boolean {
    const revocation = this.byId.get(id);
    if (revocation === undefined) return false;
    this.byId.delete(id);
    this.unindex(revocation);
    this.changed();
    return true;
  }

  /** Replaces everything with `revocations` (a full resync from the store). */
  replaceAll(revocations: Iterable<Revocation>): void {
    this.byId.clear();
    this.jtis.clear();
    this.subjects.clear();
    this.sessions.clear();
    const silent = [...this.listeners];
    this.listeners.clear();
    try {
      for (const revocation of revocations) this.add(revocation);
    } finally {
      for (const listener of silent) this.listeners.add(listener);
    }
    this.changed();
  }

  /** Drops the revocations whose `expiresAt` has passed; returns how many. */
  prune(nowMs: number): number {
    let dropped = 0;
    for (const revocation of [...this.byId.values()]) {
      if (revocation.expiresAt !== null && revocation.expiresAt <= nowMs) {
        this.delete(revocation.id);
        dropped++;
      }
    }
    return dropped;
  }

  /** Calls `listener` after every change (for gauges); returns the function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal */
  indexes(): { jtis: Index; subjects: Index; sessions: Index } {
    return { jtis: this.jtis, subjects: this.subjects, sessions: this.sessions };
  }

  private unindex(revocation: Revocation): void {
    const slot = locate(revocation);
    if (slot === undefined) return;
    const [index, issuer, key] = slot(this);
    const inner = index.get(issuer);
    const list = inner?.get(key);
    if (inner === undefined || list === undefined) return;
    const remaining = list.filter((r) => r.id !== revocation.id);
    if (remaining.length > 0) inner.set(key, remaining);
    else {
      inner.delete(key);
      if (inner.size === 0) index.delete(issuer);
    }
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** The issuer under which API keys authenticate (`AuthContext.issuer`). */
const API_KEY_ISSUER = 'api_key';

type Slot = (list: RevocationList) => [Index, string, string];

function locate(r: Revocation): Slot | undefined {
  switch (r.kind) {
    case 'jti':
      return (l) => [l.indexes().jtis, r.issuer!, r.jti!];
    case 'subject':
      return (l) => [l.indexes().subjects, r.issuer!, r.subject!];
    case 'api_key':
      // An API key's identity is the subject `name` at the issuer `api_key`, with no `iat`.
      return (l) => [l.indexes().subjects, API_KEY_ISSUER, r.apiKey!];
    case 'session':
      return (l) => [l.indexes().sessions, r.issuer!, r.sid!];
    default:
      return undefined;
  }
}

function coveringByIat(candidates: readonly Revocation[], iat: unknown): Revocation | undefined {
  for (const revocation of candidates) {
    const before = revocation.issuedBefore;
    // "Log out everywhere": tokens issued before the revocation's second, or without an `iat`.
    if (before === undefined || typeof iat !== 'number' || iat < before) return revocation;
  }
  return undefined;
}
