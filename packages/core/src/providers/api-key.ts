import { validateApiKeys } from '../config/validate.js';
import { type AuthContext, createAuthContext } from '../context.js';
import { UnknownApiKeyError } from '../errors.js';
import { assertTokenSyntax } from '../http/bearer.js';
import { EMPTY_INSIGHT, type ProviderInsight } from '../observability/insight.js';
import { sha256 } from '../platform/digest.js';
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

  /** Throws a `ConfigError` naming the entry (never the key) for an empty, unsendable or repeated key. */
  constructor(options: ApiKeyProviderOptions) {
    const admins = options.admins instanceof AdminPolicy ? options.admins : new AdminPolicy(options.admins);
    // Every key is a sendable bearer credential (checked here or by whoever validated the options), so a
    // digest match needs no syntax check of the presented token.
    const keys = validateApiKeys(options.keys, { prefix: 'keys' });
    for (const { name, key, scopes } of keys) {
      this.byDigest.set(
        digestKey(key),
        createAuthContext({
          subject: name,
          issuer: 'api_key',
          authType: 'api_key',
          isAdmin: admins.isAdmin(name),
          scopes,
        }),
      );
    }
    this.dotted = keys.some(({ key }) => key.includes('.'));
  }

  accepts(token: string): boolean {
    return this.dotted || !token.includes('.');
  }

  /** No key sets, no token cache, no issuer: what tells the pipeline that no token (nor DPoP) comes here. */
  insight(): ProviderInsight {
    return EMPTY_INSIGHT;
  }

  resolve(token: string): AuthContext {
    const context = this.byDigest.get(digestKey(token));
    if (context !== undefined) return context;
    assertTokenSyntax(token);
    throw new UnknownApiKeyError();
  }

  validateToken(token: string): Promise<AuthContext> {
    try {
      return Promise.resolve(this.resolve(token));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

function digestKey(key: string): string {
  return sha256(key, 'base64');
}
