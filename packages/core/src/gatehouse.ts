import type { AuditLogger } from './audit.js';
import { createAuthProvider } from './config/create.js';
import { loadConfigFromEnv } from './config/env.js';
import type { AuthContext } from './context.js';
import { type AuthError, isAuthError } from './errors.js';
import { DEFAULT_MAX_TOKEN_LENGTH, extractBearer } from './http/bearer.js';
import { type PublicPath, publicPathMatcher } from './http/public-paths.js';
import { type AuthErrorResponse, authErrorResponse, DEFAULT_REALM } from './http/response.js';
import { type AuthRequirement, checkRequirement } from './policy/requirement.js';
import type { AuthProvider } from './provider.js';

/** Options every adapter accepts. */
export interface GatehouseOptions {
  /** Who validates credentials. Default: built from the `GATEHOUSE_*` environment (fails closed). */
  readonly provider?: AuthProvider;
  /** Realm of the `WWW-Authenticate` challenge. Default `gatehouse`. */
  readonly realm?: string;
  /** Longest bearer token accepted; longer headers get 400 before any work. Default 8192. */
  readonly maxTokenLength?: number;
  /** Paths that skip authentication entirely (e.g. `/health`). */
  readonly publicPaths?: readonly PublicPath[];
  /** Receives accept and reject audit events (pino-compatible). Silent by default. */
  readonly logger?: AuditLogger;
}

/** The options every framework adapter's middleware factory adds to {@link GatehouseOptions}. */
export interface AdapterOptions extends GatehouseOptions {
  /**
   * `required` (default): no valid credentials, no entry. `optional`: requests without credentials pass
   * without an identity; bad credentials are still refused.
   */
  readonly mode?: 'required' | 'optional';
}

/**
 * Route-level helpers that an adapter's middleware carries. They share the middleware's provider and
 * caches; each authenticates if the request was not authenticated yet, then checks its rule.
 */
export interface RouteHelpers<Handler> {
  /** The core pipeline behind the middleware. */
  readonly gate: Gatehouse;
  /** Requires valid credentials on this route (a no-op when the request already has an identity). */
  required(): Handler;
  /** Authenticates when credentials are present; passes without an identity when they are absent. */
  optional(): Handler;
  /** Requires an admin (`isAdmin`): 401 without credentials, 403 for anyone else. */
  admin(): Handler;
  /** Requires every listed scope: 401 without credentials, 403 `insufficient_scope` without them. */
  scopes(...scopes: string[]): Handler;
}

/**
 * The request-level pipeline shared by the adapters: header → bearer credential → provider →
 * requirement, with audit events and one error-to-response mapping. Built once per middleware.
 *
 * @example
 * ```ts
 * const gate = createGatehouse({ provider, publicPaths: ['/health'] });
 * const auth = await gate.authenticate(authorizationHeader(req.rawHeaders));
 * ```
 */
export class Gatehouse {
  readonly provider: AuthProvider;
  readonly realm: string;
  /** Whether a request path skips authentication. */
  readonly isPublic: (path: string) => boolean;
  private readonly maxTokenLength: number;
  private readonly logger: AuditLogger | undefined;

  constructor(options: GatehouseOptions = {}) {
    this.logger = options.logger;
    this.provider = options.provider ?? createAuthProvider(loadConfigFromEnv(), { logger: options.logger });
    this.realm = options.realm ?? DEFAULT_REALM;
    this.maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
    if (!Number.isInteger(this.maxTokenLength) || this.maxTokenLength < 16) {
      throw new RangeError('"maxTokenLength" must be an integer of at least 16');
    }
    this.isPublic = publicPathMatcher(options.publicPaths);
  }

  /**
   * Authenticates a request from its `Authorization` header value(s) (see `authorizationHeader`).
   * Resolves to the identity; with `optional`, resolves to undefined when no credentials were sent (bad
   * credentials still reject). Rejects with an {@link AuthError}.
   */
  authenticate(authorization: string | readonly string[] | undefined): Promise<AuthContext>;
  authenticate(
    authorization: string | readonly string[] | undefined,
    options: { optional: true },
  ): Promise<AuthContext | undefined>;
  authenticate(
    authorization: string | readonly string[] | undefined,
    options?: { optional?: boolean },
  ): Promise<AuthContext | undefined> {
    const provider = this.provider;
    if (provider.anonymousContext !== undefined) return Promise.resolve(provider.anonymousContext);
    if (authorization === undefined && options?.optional) return Promise.resolve(undefined);
    let token: string;
    try {
      token = extractBearer(authorization, this.maxTokenLength);
    } catch (err) {
      this.rejected(err);
      return Promise.reject(err);
    }
    const result = provider.validateToken(token);
    if (this.logger === undefined) return result;
    return result.then(
      (auth) => {
        this.accepted(auth);
        return auth;
      },
      (err: unknown) => {
        this.rejected(err);
        throw err;
      },
    );
  }

  /**
   * The fast path of {@link authenticate}: the identity behind an `Authorization` header when the provider
   * knows it synchronously (an API key, a token validated before and still cached), else undefined, and
   * then call `authenticate`, which also reports every failure. Never throws.
   *
   * @example
   * ```ts
   * const header = authorizationHeader(req.rawHeaders);
   * const auth = gate.peek(header) ?? (await gate.authenticate(header));
   * ```
   */
  peek(authorization: string | readonly string[] | undefined): AuthContext | undefined {
    const provider = this.provider;
    if (provider.anonymousContext !== undefined) return provider.anonymousContext;
    if (typeof authorization !== 'string' || provider.peek === undefined) return undefined;
    // Only the plain form "Bearer <token>" (scheme in any case, one space) is taken here; anything
    // else goes to authenticate(), which parses it fully. The token's syntax is not re-checked: a
    // provider only knows tokens that passed every check before (or configured, sendable API keys).
    if (authorization.charCodeAt(6) !== 32 || authorization.charCodeAt(7) === 32) return undefined;
    if (!authorization.startsWith('Bearer') && authorization.slice(0, 6).toLowerCase() !== 'bearer') {
      return undefined;
    }
    const token = authorization.slice(7);
    if (token.length === 0 || token.length > this.maxTokenLength) return undefined;
    const auth = provider.peek(token);
    if (auth !== undefined && this.logger !== undefined) this.accepted(auth);
    return auth;
  }

  /** The 403 error for an identity that fails `requirement`, or undefined when it passes. */
  authorize(auth: AuthContext, requirement: AuthRequirement): AuthError | undefined {
    const denied = checkRequirement(auth, requirement);
    if (denied) this.rejected(denied, auth);
    return denied;
  }

  /** The response for an error; non-{@link AuthError}s are not client errors and yield undefined. */
  respond(err: unknown): AuthErrorResponse | undefined {
    return isAuthError(err) ? authErrorResponse(err, { realm: this.realm }) : undefined;
  }

  private accepted(auth: AuthContext): void {
    this.logger?.info(
      {
        event: 'gatehouse.auth.accepted',
        subject: auth.subject,
        email: auth.email,
        issuer: auth.issuer,
        authType: auth.authType,
        isAdmin: auth.isAdmin,
      },
      'request authenticated',
    );
  }

  private rejected(err: unknown, auth?: AuthContext): void {
    if (this.logger === undefined || !isAuthError(err)) return;
    const {
      name: _name,
      message,
      stack: _stack,
      cause: _cause,
      final: _final,
      ...detail
    } = err as AuthError & {
      cause?: unknown;
    };
    this.logger.warn(
      {
        ...detail,
        event: 'gatehouse.auth.rejected',
        code: err.code,
        status: err.status,
        description: message,
        subject: auth?.subject,
        cause: err.cause instanceof Error ? err.cause.message : undefined,
      },
      'request rejected',
    );
  }
}

/**
 * Builds the {@link Gatehouse} request pipeline; with no provider, configures it from the environment.
 *
 * @example
 * ```ts
 * const gate = createGatehouse(); // reads GATEHOUSE_API_KEYS, GATEHOUSE_OIDC_CONFIG, GATEHOUSE_ADMINS
 * ```
 */
export function createGatehouse(options: GatehouseOptions = {}): Gatehouse {
  return new Gatehouse(options);
}
