import { type AuthContext, createAuthContext } from '../context.js';
import type { AuthProvider } from '../provider.js';

/** The identity every request gets while authentication is disabled for development. */
export const DEVELOPMENT_IDENTITY: AuthContext = createAuthContext({
  subject: 'anonymous-developer',
  issuer: 'development',
  authType: 'anonymous',
  isAdmin: true,
});

/**
 * Authentication switched off, for local development only (`GATEHOUSE_DISABLE_AUTH=1`): every request,
 * with or without credentials, passes as {@link DEVELOPMENT_IDENTITY}, which is an admin and holds every
 * scope. The configuration refuses it when `NODE_ENV=production`.
 *
 * @example
 * ```ts
 * const provider = new DevelopmentAuthProvider();
 * ```
 */
export class DevelopmentAuthProvider implements AuthProvider {
  readonly anonymousContext = DEVELOPMENT_IDENTITY;

  validateToken(): Promise<AuthContext> {
    return Promise.resolve(DEVELOPMENT_IDENTITY);
  }
}
