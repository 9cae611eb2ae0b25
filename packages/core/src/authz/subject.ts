import type { AuthContext } from '../context.js';
import { sha256 } from '../platform/digest.js';
import type { AuthzSubject } from './types.js';

/**
 * Builds the {@link AuthzSubject} of identities, once per `AuthContext` (a cached token's context is
 * shared by its requests, so a request with a known token builds nothing).
 * @internal
 */
export class SubjectBuilder {
  private readonly built = new WeakMap<AuthContext, AuthzSubject>();

  /** @param claims the claims (top-level names) that reach the backends; none by default. */
  constructor(private readonly claims: readonly string[] = []) {}

  of(auth: AuthContext): AuthzSubject {
    const known = this.built.get(auth);
    if (known !== undefined) return known;
    const chosen: Record<string, unknown> = {};
    for (const name of this.claims) {
      if (Object.hasOwn(auth.claims, name)) chosen[name] = auth.claims[name];
    }
    const fields = {
      id: auth.subject,
      issuer: auth.issuer,
      authType: auth.authType,
      isAdmin: auth.isAdmin,
      ...(auth.email !== undefined ? { email: auth.email } : {}),
      scopes: auth.scopes,
      roles: auth.roles,
      claims: Object.freeze(chosen),
    };
    // Everything a backend may decide on is in the key (a SHA-256 digest: short to hash per lookup, and no
    // two subjects share it): two tokens of one subject with other scopes or roles never share a decision.
    const key = sha256(JSON.stringify(fields), 'base64');
    const subject: AuthzSubject = Object.freeze({ ...fields, key });
    this.built.set(auth, subject);
    return subject;
  }
}
