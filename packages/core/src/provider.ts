import type { AuthContext } from './context.js';
import { assertTokenSyntax } from './http/bearer.js';
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
   * The token's syntax has been checked (an RFC 6750 b64token).
   */
  validateToken(token: string): Promise<AuthContext>;
  /**
   * Optional: {@link validateToken} answered synchronously whenever no I/O is needed (an API key, a cached
   * token, a signature checked with keys already in memory), and as a promise only for I/O. Throws (or
   * rejects with) an {@link AuthError}. The pipeline calls this once per request instead of
   * `validateToken`, with a token whose syntax is NOT yet checked: an implementation answers a token it
   * already knows without the check and calls `assertTokenSyntax(token)` before any other work.
   */
  resolve?(token: string): AuthContext | Promise<AuthContext>;
  /**
   * Optional, synchronous and cheap: false when this provider can never accept a token of this shape, so
   * that a `MultiAuthProvider` skips it without cost.
   */
  accepts?(token: string): boolean;
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

/**
 * Asks `provider` about a token whose syntax is unchecked: through `resolve` when it has one, else after
 * the syntax check through `validateToken`. Throws or returns a promise. @internal
 */
export function resolveToken(provider: AuthProvider, token: string): AuthContext | Promise<AuthContext> {
  if (provider.resolve !== undefined) return provider.resolve(token);
  assertTokenSyntax(token);
  return provider.validateToken(token);
}

/** Whether a value returned by {@link AuthProvider.resolve} (or a pipeline step) is still pending. @internal */
export function isPending<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
