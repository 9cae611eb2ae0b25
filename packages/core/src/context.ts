/** How an identity was established. `anonymous` is the development identity of disabled auth. */
export type AuthType = 'api_key' | 'oidc' | 'anonymous';

/**
 * The authenticated identity of a request: what adapters put on `req.auth`, `ctx.state.auth` or
 * `@CurrentAuth()`. Immutable, and shared between requests that present the same token.
 *
 * @example
 * ```ts
 * function describe(auth: AuthContext): string {
 *   return `${auth.subject} via ${auth.authType}${auth.isAdmin ? ' (admin)' : ''}`;
 * }
 * ```
 */
export interface AuthContext {
  /** The user or service: the JWT `sub`, or the API key's name. */
  readonly subject: string;
  /** The `email` claim, when the token carries one. */
  readonly email?: string;
  /** The `email_verified` claim, when the token carries one. */
  readonly emailVerified?: boolean;
  /** The token's issuer, `api_key` for API keys, `development` for the anonymous development identity. */
  readonly issuer: string;
  /** The configured audience the token was accepted for (OIDC only). */
  readonly audience?: string;
  /** When the token expires (OIDC only). */
  readonly expiresAt?: Date;
  readonly authType: AuthType;
  /** Whether the subject or the (not unverified) email is in the admins list. */
  readonly isAdmin: boolean;
  /**
   * Granted scopes: from the claims the issuer's `scopeClaims` name (by default `scope`, space separated,
   * and `scp`, an array or a string); configured for API keys.
   */
  readonly scopes: readonly string[];
  /**
   * Roles, from the claims the issuer's `roleClaims` name (Entra `roles`, Keycloak `realm_access.roles`…);
   * empty when none are configured, and for API keys.
   */
  readonly roles: readonly string[];
  /** The verified JWT claims (empty for API keys). */
  readonly claims: Readonly<Record<string, unknown>>;
}

const NO_SCOPES: readonly string[] = Object.freeze([]);
const NO_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Builds a frozen {@link AuthContext}; what custom {@link AuthProvider}s should return.
 *
 * @example
 * ```ts
 * const auth = createAuthContext({ subject: 'svc-a', issuer: 'my-directory', authType: 'api_key' });
 * ```
 */
export function createAuthContext(fields: AuthContextFields): AuthContext {
  return ownAuthContext({
    ...fields,
    scopes: fields.scopes ? [...fields.scopes] : undefined,
    roles: fields.roles ? [...fields.roles] : undefined,
    expiresAt: fields.expiresAt ? new Date(fields.expiresAt.getTime()) : undefined,
  });
}

type AuthContextFields = Omit<AuthContext, 'isAdmin' | 'scopes' | 'roles' | 'claims'> &
  Partial<Pick<AuthContext, 'isAdmin' | 'scopes' | 'roles' | 'claims'>>;

/**
 * {@link createAuthContext} for fields the caller hands over: the `scopes` array and the `expiresAt` date
 * are frozen and kept rather than copied (the providers build them for this context alone).
 * @internal
 */
export function ownAuthContext(fields: AuthContextFields): AuthContext {
  const context: { -readonly [K in keyof AuthContext]: AuthContext[K] } = {
    subject: fields.subject,
    issuer: fields.issuer,
    authType: fields.authType,
    isAdmin: fields.isAdmin ?? false,
    scopes: fields.scopes && fields.scopes.length > 0 ? Object.freeze(fields.scopes) : NO_SCOPES,
    roles: fields.roles && fields.roles.length > 0 ? Object.freeze(fields.roles) : NO_SCOPES,
    claims: fields.claims ? deepFreeze(fields.claims) : NO_CLAIMS,
  };
  if (fields.email !== undefined) context.email = fields.email;
  if (fields.emailVerified !== undefined) context.emailVerified = fields.emailVerified;
  if (fields.audience !== undefined) context.audience = fields.audience;
  // A Date stays mutable when its holder is frozen; this one is reachable only through the context.
  if (fields.expiresAt !== undefined) context.expiresAt = fields.expiresAt;
  return Object.freeze(context);
}

/**
 * Whether `auth` holds every scope in `required`. The anonymous development identity holds all.
 *
 * @example
 * ```ts
 * if (!hasScopes(auth, ['telemetry:write'])) throw new InsufficientScopeError(['telemetry:write'], ['telemetry:write']);
 * ```
 */
export function hasScopes(auth: AuthContext, required: readonly string[]): boolean {
  return missingScopes(auth, required).length === 0;
}

/** The scopes of `required` that `auth` lacks (none for the anonymous development identity). */
export function missingScopes(auth: AuthContext, required: readonly string[]): string[] {
  if (auth.authType === 'anonymous') return [];
  return required.filter((scope) => !auth.scopes.includes(scope));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (const item of value) deepFreeze(item);
    } else {
      for (const key in value) {
        const child = (value as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') deepFreeze(child);
      }
    }
  }
  return value;
}
