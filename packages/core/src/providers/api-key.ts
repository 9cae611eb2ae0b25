import { hash } from 'node:crypto';
import { type AuthContext, createAuthContext } from '../context.js';
import { UnknownApiKeyError } from '../errors.js';
import { isBearerToken } from '../http/bearer.js';
import { AdminPolicy } from '../policy/admins.js';
import type { AuthProvider } from '../provider.js';

/** A pre-shared API key. Several keys may share a name (rotation); the name is the identity's subject. */
export interface ApiKeyEntry {
  readonly name: string;
  readonly key: string;
  /** Scopes granted to this key, for routes that require scopes. */
  readonly scopes?: readonly string[];
}

/** Options of {@link ApiKeyAuthProvider}. */
export interface ApiKeyProviderOptions {
  readonly keys: readonly ApiKeyEntry[];
  /** Subjects (key names) or emails with admin rights. */
  readonly admins?: readonly string[] | AdminPolicy;
}

/**
 * Validates pre-shared API keys. Keys are held only as SHA-256 digests in a map: the lookup is O(1) and
 * compares digests, so response time does not reveal how much of a guessed key was right.
 *
 * @example
 * ```ts
 * const keys = new ApiKeyAuthProvider({ keys: [{ name: 'billing', key: process.env.BILLING_KEY! }] });
 * const auth = await keys.validateToken(presented); // auth.subject === 'billing'
 * ```
 */
export class ApiKeyAuthProvider implements AuthProvider {
  private readonly byDigest = new Map<string, AuthContext>();
  /** Whether some key contains a dot; if none does, a dotted token (a JWT) is skipped without hashing. */
  private readonly dotted: boolean;

  constructor(options: ApiKeyProviderOptions) {
    const admins = options.admins instanceof AdminPolicy ? options.admins : new AdminPolicy(options.admins);
    for (const { name, key, scopes } of options.keys) {
      // A key that is not a valid bearer credential could never be presented (the request would be
      // refused as malformed); refusing it here also lets peek() trust a match without a syntax check.
      if (!isBearerToken(key)) {
        throw new Error(
          `API key of "${name}" must use only letters, digits and - . _ ~ + / (with optional trailing =)`,
        );
      }
      const digest = digestKey(key);
      if (this.byDigest.has(digest)) throw new Error(`API key of "${name}" is configured twice`);
      this.byDigest.set(
        digest,
        createAuthContext({
          subject: name,
          issuer: 'api_key',
          authType: 'api_key',
          isAdmin: admins.isAdmin(name),
          scopes,
        }),
      );
    }
    this.dotted = options.keys.some(({ key }) => key.includes('.'));
  }

  accepts(token: string): boolean {
    return this.dotted || !token.includes('.');
  }

  peek(token: string): AuthContext | undefined {
    return this.byDigest.get(digestKey(token));
  }

  validateToken(token: string): Promise<AuthContext> {
    const context = this.byDigest.get(digestKey(token));
    return context ? Promise.resolve(context) : Promise.reject(new UnknownApiKeyError());
  }
}

function digestKey(key: string): string {
  return hash('sha256', key, 'base64');
}
