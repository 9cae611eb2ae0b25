import { type AuthContext, missingScopes } from '../context.js';
import { type AuthError, ForbiddenError, InsufficientScopeError } from '../errors.js';

/** What a route demands of an authenticated identity. */
export interface AuthRequirement {
  /** Only admins (`isAdmin`) pass. */
  readonly admin?: boolean;
  /** Every one of these scopes must be granted. */
  readonly scopes?: readonly string[];
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
export function checkRequirement(auth: AuthContext, requirement: AuthRequirement): AuthError | undefined {
  if (requirement.admin && !auth.isAdmin) return new ForbiddenError('admin');
  if (requirement.scopes && requirement.scopes.length > 0) {
    const missing = missingScopes(auth, requirement.scopes);
    if (missing.length > 0) return new InsufficientScopeError(requirement.scopes, missing);
  }
  return undefined;
}
