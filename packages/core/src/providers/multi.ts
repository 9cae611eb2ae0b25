import type { AuthContext } from '../context.js';
import { type AuthError, InvalidTokenError, isAuthError } from '../errors.js';
import type { ProviderInsight } from '../observability/insight.js';
import type { AuthProvider } from '../provider.js';

/**
 * Tries providers in order (put API keys first: their check is the cheapest). A provider whose
 * `accepts()` says it cannot handle the token's shape is skipped without cost; the first success wins; a
 * final rejection ends the search. When every provider declines, the most useful error is reported
 * (an unknown issuer rather than an unknown API key for a JWT).
 *
 * @example
 * ```ts
 * const provider = new MultiAuthProvider([
 *   new ApiKeyAuthProvider({ keys }),
 *   new OidcAuthProvider({ issuers }),
 * ]);
 * ```
 */
export class MultiAuthProvider implements AuthProvider {
  readonly providers: readonly AuthProvider[];
  readonly anonymousContext: AuthContext | undefined;

  constructor(providers: readonly AuthProvider[]) {
    if (providers.length === 0) throw new Error('MultiAuthProvider needs at least one provider');
    this.providers = [...providers];
    this.anonymousContext = providers.find((p) => p.anonymousContext)?.anonymousContext;
  }

  accepts(token: string): boolean {
    return this.next(0, token) !== -1;
  }

  peek(token: string): AuthContext | undefined {
    for (let i = this.next(0, token); i !== -1; i = this.next(i + 1, token)) {
      const known = this.providers[i]!.peek?.(token);
      if (known !== undefined) return known;
    }
    return undefined;
  }

  /** The key sets and caches of every provider, together. */
  insight(): ProviderInsight {
    const parts = this.providers.map((p) => p.insight?.()).filter((i) => i !== undefined);
    return {
      keySets: parts.flatMap((i) => i.keySets),
      tokenCaches: parts.flatMap((i) => i.tokenCaches),
    };
  }

  validateToken(token: string): Promise<AuthContext> {
    return this.tryFrom(this.next(0, token), token, undefined);
  }

  private tryFrom(index: number, token: string, declined: AuthError | undefined): Promise<AuthContext> {
    if (index === -1) {
      return Promise.reject(
        declined ?? new InvalidTokenError('credentials not recognised', { reason: 'malformed' }),
      );
    }
    const following = this.next(index + 1, token);
    const attempt = this.providers[index]!.validateToken(token);
    // The common case (one provider accepts this shape) returns the provider's promise untouched.
    if (following === -1 && declined === undefined) return attempt;
    return attempt.catch((err: unknown) => {
      if (!isAuthError(err) || err.final) throw err;
      return this.tryFrom(following, token, moreUseful(declined, err));
    });
  }

  private next(from: number, token: string): number {
    for (let i = from; i < this.providers.length; i++) {
      const accepts = this.providers[i]!.accepts;
      if (accepts === undefined || accepts.call(this.providers[i], token)) return i;
    }
    return -1;
  }
}

// "Unknown API key" is the least informative answer: any other decline says more about the token.
function moreUseful(current: AuthError | undefined, candidate: AuthError): AuthError {
  if (current === undefined) return candidate;
  return candidate.code === 'unknown_api_key' && current.code !== 'unknown_api_key' ? current : candidate;
}
