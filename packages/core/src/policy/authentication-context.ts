/**
 * Step-up (RFC 9470): a route may demand how recently and how strongly the user authenticated, read from
 * the token's `acr` and `auth_time` claims.
 */
import { Checker } from '../config/checker.js';

/**
 * What a route demands of the authentication behind a token.
 *
 * @example
 * ```ts
 * const purge: AuthenticationRequirement = { acr: ['urn:example:mfa'], maxAge: 300 };
 * ```
 */
export interface AuthenticationRequirement {
  /** The token's `acr` must be one of these. */
  readonly acr?: readonly string[];
  /** The token's `auth_time` must be at most this many seconds ago. */
  readonly maxAge?: number;
}

/** Why a token falls short, and what the challenge asks for (`acr_values`, `max_age`). */
export interface AuthenticationShortfall {
  /** Which part failed first. */
  readonly reason: 'acr' | 'max_age';
  /** The requirement's classes, for `acr_values` (every part of the requirement is asked for again). */
  readonly acrValues?: readonly string[];
  /** The requirement's age, for `max_age`. */
  readonly maxAge?: number;
}

/**
 * Checks claims against a requirement; undefined when they meet it. A token without `auth_time` does not
 * meet a `maxAge`. The shortfall repeats the whole requirement, so that a client re-authenticating with
 * what the challenge names (RFC 9470 §3) meets all of it at once. `toleranceSecs` allows for clock skew.
 *
 * @example
 * ```ts
 * const short = checkAuthenticationContext(auth.claims, { acr: ['urn:example:mfa'] }, Date.now() / 1000);
 * if (short) console.log(short.reason, short.acrValues);
 * ```
 */
export function checkAuthenticationContext(
  claims: Readonly<Record<string, unknown>>,
  requirement: AuthenticationRequirement,
  nowSecs: number,
  toleranceSecs = 0,
): AuthenticationShortfall | undefined {
  let reason: AuthenticationShortfall['reason'] | undefined;
  if (requirement.acr && requirement.acr.length > 0) {
    if (typeof claims.acr !== 'string' || !requirement.acr.includes(claims.acr)) reason = 'acr';
  }
  if (reason === undefined && requirement.maxAge !== undefined) {
    const authTime = claims.auth_time;
    if (typeof authTime !== 'number' || nowSecs - authTime > requirement.maxAge + toleranceSecs) {
      reason = 'max_age';
    }
  }
  if (reason === undefined) return undefined;
  return {
    reason,
    ...(requirement.acr && requirement.acr.length > 0 ? { acrValues: requirement.acr } : {}),
    ...(requirement.maxAge !== undefined ? { maxAge: requirement.maxAge } : {}),
  };
}

/**
 * Checks a route's step-up requirement where it is written (a route helper, a decorator), so that a
 * malformed one stops start-up: `acr` a non-empty list of non-empty strings, `maxAge` a whole number of
 * seconds (at most a year). Throws a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * validateAuthenticationRequirement({ acr: ['urn:example:mfa'], maxAge: 300 }); // passes
 * validateAuthenticationRequirement({ maxAge: -1 }); // throws: "maxAge" must be between 0 and 31536000
 * ```
 */
export function validateAuthenticationRequirement(requirement: AuthenticationRequirement): void {
  const c = new Checker({});
  if (requirement.acr !== undefined) {
    c.list(requirement.acr, 'acr', { nonEmpty: true }).forEach((value, i) => {
      c.nonEmptyString(value, `acr[${i}]`);
    });
  }
  if (requirement.maxAge !== undefined) c.integer(requirement.maxAge, 'maxAge', 0, 365 * 24 * 3600);
}
