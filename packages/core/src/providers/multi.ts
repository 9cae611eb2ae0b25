import type { AuthContext } from '../context.js';
import { type AuthError, InvalidTokenError, isAuthError } from '../errors.js';
import { assertTokenSyntax } from '../http/bearer.js';
import type { ProviderInsight } from '../observability/insight.js';
import { type AuthProvider, isPending, resolveToken } from '../provider.js';

/**
 * Tries providers in order (put API keys first: their check is the cheapest). A provider whose
 * `accepts()` says it cannot handle the token's shape is skipped without cost; the first success wins; a
 * final rejection ends the search. When every provider declines, the most useful error is reported
 * (an unknown issuer rather than an unknown API key for a JWT). Each provider is asked once, and answers
 * synchronously when it can.
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

  /** The key sets and caches of every provider, together. */
  insight(): ProviderInsight {
    const parts = this.providers.map((p) => p.insight?.()).filter((i) => i !== undefined);
    return {
      keySets: parts.flatMap((i) => i.keySets),
      tokenCaches: parts.flatMap((i) => i.tokenCaches),
      issuers: parts.flatMap((i) => i.issuers ?? []),
    };
  }

  resolve(token: string): AuthContext | Promise<AuthContext> {
    return this.tryFrom(this.next(0, token), token, undefined);
  }

  validateToken(token: string): Promise<AuthContext> {
    try {
      return Promise.resolve(this.resolve(token));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private tryFrom(
    index: number,
    token: string,
    declined: AuthError | undefined,
  ): AuthContext | Promise<AuthContext> {
    for (let i = index; ; ) {
      if (i === -1) {
        if (declined === undefined) assertTokenSyntax(token);
        throw declined ?? new InvalidTokenError('credentials not recognised', { reason: 'malformed' });
      }
      const following = this.next(i + 1, token);
      let result: AuthContext | Promise<AuthContext>;
      try {
        result = resolveToken(this.providers[i]!, token);
      } catch (err) {
        if (!isAuthError(err) || err.final) throw err;
        declined = moreUseful(declined, err);
        i = following;
        continue;
      }
      if (!isPending(result) || (following === -1 && declined === undefined)) return result;
      const before = declined;
      return result.catch((err: unknown) => {
        if (!isAuthError(err) || err.final) throw err;
        return this.tryFrom(following, token, moreUseful(before, err));
      });
    }
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
