import {
  AudienceMismatchError,
  InvalidTokenError,
  TokenExpiredError,
  TokenNotYetValidError,
} from '../errors.js';

/** What a verified payload must satisfy for one issuer. */
export interface ClaimRules {
  readonly issuer: string;
  /** Accepted audiences; `aud` must equal one or, as an array, contain one. */
  readonly audiences: readonly string[];
  readonly clockToleranceSecs: number;
}

/** The claims Gatehouse reads from a payload whose signature and rules were checked. */
export interface CheckedClaims {
  readonly subject: string;
  /** The configured audience the token matched. */
  readonly audience: string;
  readonly exp: number;
}

/**
 * Checks the registered claims of a verified payload (RFC 7519 §4.1 and the contract): `iss` exactly
 * equal, `sub` a non-empty string, `aud` naming a configured audience, `exp` present and not past, `nbf`
 * and `iat` not in the future, all with the clock tolerance. `nowSecs` is the current time in seconds.
 */
export function checkClaims(
  payload: Record<string, unknown>,
  rules: ClaimRules,
  nowSecs: number,
): CheckedClaims {
  const { issuer, clockToleranceSecs } = rules;
  // Exact comparison: no trailing-slash or case folding, so a look-alike issuer never passes.
  if (payload.iss !== issuer) {
    throw new InvalidTokenError('token issuer mismatch', { reason: 'claim', claim: 'iss', issuer });
  }
  const { sub, exp, nbf, iat } = payload;
  if (typeof sub !== 'string' || sub.length === 0) {
    throw new InvalidTokenError('token has no subject', { reason: 'claim', claim: 'sub', issuer });
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new InvalidTokenError('token has no valid expiry', { reason: 'claim', claim: 'exp', issuer });
  }
  if (exp <= nowSecs - clockToleranceSecs) throw new TokenExpiredError(issuer, exp);
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isFinite(nbf)) {
      throw new InvalidTokenError('token has an invalid nbf', { reason: 'claim', claim: 'nbf', issuer });
    }
    if (nbf > nowSecs + clockToleranceSecs) throw new TokenNotYetValidError(issuer, 'nbf');
  }
  if (iat !== undefined) {
    if (typeof iat !== 'number' || !Number.isFinite(iat)) {
      throw new InvalidTokenError('token has an invalid iat', { reason: 'claim', claim: 'iat', issuer });
    }
    if (iat > nowSecs + clockToleranceSecs) throw new TokenNotYetValidError(issuer, 'iat');
  }
  return { subject: sub, audience: matchAudience(payload.aud, rules), exp };
}

function matchAudience(aud: unknown, rules: ClaimRules): string {
  const { audiences, issuer } = rules;
  if (typeof aud === 'string') {
    if (audiences.includes(aud)) return aud;
    throw new AudienceMismatchError(issuer, audiences, [aud]);
  }
  if (Array.isArray(aud)) {
    for (const candidate of aud) {
      if (typeof candidate === 'string' && audiences.includes(candidate)) return candidate;
    }
    throw new AudienceMismatchError(
      issuer,
      audiences,
      aud.filter((a): a is string => typeof a === 'string'),
    );
  }
  throw new AudienceMismatchError(issuer, audiences, []);
}

/** Granted scopes from `scope` (space separated, RFC 8693 §4.2) or `scp` (array or space separated). */
export function readScopes(payload: Record<string, unknown>): string[] {
  const source = payload.scope ?? payload.scp;
  if (typeof source === 'string') return source.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(source)) return source.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}
