/**
 * What a revocation is: one record, the same on every instance and in every store. Records are plain
 * JSON so that a store can keep and ship them as they are.
 */

/** What a revocation selects. `session` revocations come only from back-channel logout (`sid`). */
export type RevocationKind = 'jti' | 'subject' | 'api_key' | 'session';

/**
 * One revocation in force. Tokens are selected by `jti` (never by the token's bytes: an ECDSA signature
 * can be re-encoded into other valid bytes), by subject, by session or by API key name.
 *
 * @example
 * ```ts
 * const logoutEverywhere: Revocation = {
 *   id: '0b6f6c0e-3f3c-4a0e-9d43-4b8e8d0f2b1a',
 *   kind: 'subject',
 *   issuer: 'https://login.example.com',
 *   subject: 'alice',
 *   issuedBefore: 1767225600,
 *   createdAt: 1767225600123,
 *   expiresAt: 1767312000123,
 * };
 * ```
 */
export interface Revocation {
  /** Stable id: what `DELETE /v1/admin/revocations/{id}` names. */
  readonly id: string;
  readonly kind: RevocationKind;
  /** The issuer whose tokens are selected (`jti`, `subject` and `session` kinds). */
  readonly issuer?: string;
  readonly jti?: string;
  readonly subject?: string;
  /** The API key name (`api_key` kind): every key of that name. */
  readonly apiKey?: string;
  /** The session id (`session` kind, from a logout token's `sid`). */
  readonly sid?: string;
  /**
   * `subject` and `session` kinds: a token is covered when its `iat` is earlier than this (seconds since
   * the epoch) or when it has no `iat`; tokens issued from this second on pass.
   */
  readonly issuedBefore?: number;
  /** When it was made, in milliseconds since the epoch. */
  readonly createdAt: number;
  /** When nothing it covers can still be valid (ms since the epoch); null: until lifted. */
  readonly expiresAt: number | null;
  /** Who made it. */
  readonly source?: 'admin' | 'backchannel_logout';
}

/**
 * Parses a stored revocation record; undefined for anything that is not one (a store shared with an
 * older or newer version, or damaged data, must never crash an instance).
 *
 * @example
 * ```ts
 * const revocation = parseRevocation(JSON.parse(message));
 * if (revocation) list.add(revocation);
 * ```
 */
export function parseRevocation(value: unknown): Revocation | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id.length === 0) return undefined;
  if (typeof r.createdAt !== 'number') return undefined;
  if (r.expiresAt !== null && typeof r.expiresAt !== 'number') return undefined;
  const text = (field: string) => typeof r[field] === 'string' && (r[field] as string).length > 0;
  switch (r.kind) {
    case 'jti':
      if (!text('issuer') || !text('jti')) return undefined;
      break;
    case 'subject':
      if (!text('issuer') || !text('subject')) return undefined;
      break;
    case 'session':
      if (!text('issuer') || !text('sid')) return undefined;
      break;
    case 'api_key':
      if (!text('apiKey')) return undefined;
      break;
    default:
      return undefined;
  }
  if (r.issuedBefore !== undefined && typeof r.issuedBefore !== 'number') return undefined;
  return value as Revocation;
}
