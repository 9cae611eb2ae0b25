import { type AuthContext, missingScopes } from '../context.js';
import { ForbiddenError, InsufficientScopeError } from '../errors.js';

/** What a route demands of an authenticated identity. */
export interface AuthRequirement {
  /** Only admins (`isAdmin`) pass. */
  readonly admin?: boolean;
  /** Every one of these scopes must be granted. */
  readonly scopes?: readonly string[];
  /**
   * Admins pass without the scopes (e.g. `/metrics`: admins, or a scraper's key with `metrics:read`).
   * Anyone else still needs every scope and gets `insufficient_scope` without them.
   */
  readonly orAdmin?: boolean;
}

/**
 * Checks an identity against a requirement; returns the error to answer with (403), or undefined when
 * the identity passes. Returning instead of throwing keeps the allowed path free of exceptions.
 *
 * @example
 * ```ts
 * const denied = checkRequirement(auth, { scopes: ['telemetry:write'] });
 * if (denied) return respond(denied);
 * ```
 */
export function checkRequirement(
  auth: AuthContext,
  requirement: AuthRequirement,
): ForbiddenError | InsufficientScopeError | undefined {
  if (requirement.orAdmin && auth.isAdmin) return undefined;
  if (requirement.admin && !auth.isAdmin) return new ForbiddenError('admin');
  if (requirement.scopes && requirement.scopes.length > 0) {
    const missing = missingScopes(auth, requirement.scopes);
    if (missing.length > 0) return new InsufficientScopeError(requirement.scopes, missing);
  }
  return undefined;
}
