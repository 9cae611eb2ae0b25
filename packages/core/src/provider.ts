import type { AuthContext } from './context.js';
import type { ProviderInsight } from './observability/insight.js';

/**
 * Anything that turns a bearer credential into an {@link AuthContext}. Gatehouse ships API-key, OIDC,
 * development and multi providers; adapters accept any implementation.
 *
 * @example
 * ```ts
 * const provider: AuthProvider = {
 *   async validateToken(token) {
 *     const user = await directory.lookup(token);
 *     if (!user) throw new UnknownApiKeyError();
 *     return createAuthContext({ subject: user.id, issuer: 'directory', authType: 'api_key' });
 *   },
 * };
 * ```
 */
export interface AuthProvider {
  /**
   * Resolves to the identity behind `token`, or rejects with an {@link AuthError}. A rejection with a
   * non-final error (`err.final === false`) means "not mine": a `MultiAuthProvider` asks the next provider.
   */
  validateToken(token: string): Promise<AuthContext>;
  /**
   * Optional, synchronous and cheap: false when this provider can never accept a token of this shape, so
   * that a `MultiAuthProvider` skips it without cost.
   */
  accepts?(token: string): boolean;
  /**
   * Optional, synchronous and cheap: the identity behind `token` when it is known without I/O or
   * signature work (an API key, a token validated before and still cached), else undefined, and then
   * `validateToken` decides. Never throws. Only implement it for tokens that `validateToken` would accept
   * at this moment: adapters answer from it without calling `validateToken`.
   */
  peek?(token: string): AuthContext | undefined;
  /**
   * When set, requests that carry no credentials at all authenticate as this identity (the development
   * identity of `GATEHOUSE_DISABLE_AUTH=1`). Leave unset in any real provider.
   */
  readonly anonymousContext?: AuthContext;
  /**
   * Optional: the provider's key sets and token caches, for metrics and readiness. Called when metrics
   * are collected or readiness is checked, never per request.
   */
  insight?(): ProviderInsight;
}
