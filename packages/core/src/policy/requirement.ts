import { type AuthContext, missingScopes } from '../context.js';
import { ForbiddenError, InsufficientScopeError, InsufficientUserAuthenticationError } from '../errors.js';
import { type AuthenticationRequirement, checkAuthenticationContext } from './authentication-context.js';

/** What a route demands of an authenticated identity. */
export interface AuthRequirement extends AuthenticationRequirement {
  /** Only admins (`isAdmin`) pass. */
  readonly admin?: boolean;
  /** Every one of these scopes must be granted. */
  readonly scopes?: readonly string[];
  /**
   * Admins pass without the scopes (e.g. `/metrics`: admins, or a scraper's key with `metrics:read`).
   * Anyone else still needs every scope and gets `insufficient_scope` without them. A step-up (`acr`,
   * `maxAge`) applies to admins too.
   */
  readonly orAdmin?: boolean;
}

/**
 * Checks an identity against a requirement; returns the error to answer with (403 for a right or a
 * scope, 401 `insufficient_user_authentication` for a step-up), or undefined when the identity passes.
 * The step-up is checked before the scopes: its challenge names the route's scopes too, so that one new
 * authorization meets both. Returning instead of throwing keeps the allowed path free of exceptions.
 *
 * @example
 * ```ts
 * const denied = checkRequirement(auth, { scopes: ['telemetry:write'], acr: ['urn:example:mfa'] });
 * if (denied) return respond(denied);
 * ```
 */
export function checkRequirement(
  auth: AuthContext,
  requirement: AuthRequirement,
  nowSecs: number = Date.now() / 1000,
): ForbiddenError | InsufficientScopeError | InsufficientUserAuthenticationError | undefined {
  const waived = requirement.orAdmin === true && auth.isAdmin;
  if (requirement.admin && !auth.isAdmin) return new ForbiddenError('admin');
  if (requirement.acr !== undefined || requirement.maxAge !== undefined) {
    const short = checkAuthenticationContext(auth.claims, requirement, nowSecs);
    if (short) return new InsufficientUserAuthenticationError({ ...short, scopes: requirement.scopes });
  }
  if (!waived && requirement.scopes && requirement.scopes.length > 0) {
    const missing = missingScopes(auth, requirement.scopes);
    if (missing.length > 0) return new InsufficientScopeError(requirement.scopes, missing);
  }
  return undefined;
}
