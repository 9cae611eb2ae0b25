import { LRUCache } from 'lru-cache';
import type { AuditLogger } from '../audit.js';
import { TokenCache } from '../cache/token-cache.js';
import { DEFAULTS } from '../config/defaults.js';
import { type AuthContext, ownAuthContext } from '../context.js';
import {
  AudienceMismatchError,
  InvalidTokenError,
  IssuerUnavailableError,
  TokenExpiredError,
  TokenInactiveError,
  TokenNotYetValidError,
} from '../errors.js';
import { assertTokenSyntax, isBearerToken } from '../http/bearer.js';
import { discoverEndpoint } from '../jwks/discovery.js';
import { urlProblem } from '../jwks/url.js';
import { readScopes } from '../jwt/claims.js';
import { looksLikeJws } from '../jwt/compact.js';
import { sha256 } from '../platform/digest.js';
import { AdminPolicy } from '../policy/admins.js';
import type { AuthProvider } from '../provider.js';
import { type IntrospectionClient, introspect } from './endpoint.js';

/** Options of {@link IntrospectionAuthProvider}; durations in seconds unless named otherwise. */
export interface IntrospectionProviderOptions {
  /** The issuer whose tokens are introspected; its discovery document names the endpoint. */
  readonly issuer: string;
  /** The audience (or audiences) an active token's `aud` must name. */
  readonly audience: string | readonly string[];
  /** Gatehouse's own client at the issuer: `client_id`, `client_secret`. */
  readonly client: IntrospectionClient;
  /** The introspection endpoint; found by discovery when absent. */
  readonly endpoint?: string;
  /** Where the issuer's discovery document is, when not under the issuer (a preset's, or configured). */
  readonly discoveryUrl?: string;
  /** Introspection results kept (LRU). Default 1000; 0 disables the cache. */
  readonly tokenCacheSize?: number;
  /** Longest a result stays cached (never past the token's `exp`). Default 300; 0 disables the cache. */
  readonly tokenCacheTtlSecs?: number;
  /** Clock skew tolerated on `exp` and `nbf`. Default 60. */
  readonly clockToleranceSecs?: number;
  /** Longest wait for the endpoint, in milliseconds. Default 5000. */
  readonly httpTimeoutMs?: number;
  /** Largest answer accepted, in bytes. Default 524288. */
  readonly maxResponseBytes?: number;
  readonly admins?: readonly string[] | AdminPolicy;
  readonly now?: () => number;
  readonly logger?: AuditLogger;
}

// After the endpoint fails, new tokens get 503 at once for a while instead of each waiting for it.
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
// A token reported inactive stays so (RFC 7662 §2.2); remembered briefly so junk does not hammer the issuer.
const MAX_NEGATIVE_TTL_MS = 60_000;

/**
 * Checks opaque access tokens by RFC 7662 introspection at one issuer. It claims only bearer credentials
 * that are not JWT-shaped (put it after the API keys, so a configured key is never sent). Answers are
 * cached (never past the token's `exp` nor the cache TTL), concurrent requests for one token share one
 * call, and an unreachable endpoint is an outage (503 with `Retry-After`), never a rejected token.
 *
 * @example
 * ```ts
 * const opaque = new IntrospectionAuthProvider({
 *   issuer: 'https://login.example.com',
 *   audience: 'telemetry-api',
 *   client: { clientId: 'telemetry-rs', clientSecret: process.env.RS_SECRET! },
 * });
 * const auth = await opaque.validateToken(token);
 * ```
 */
export class IntrospectionAuthProvider implements AuthProvider {
  readonly issuer: string;
  private readonly audiences: readonly string[];
  private readonly client: IntrospectionClient;
  private readonly cache: TokenCache;
  private readonly inactive: LRUCache<string, number> | undefined;
  private readonly inflight = new Map<string, Promise<AuthContext>>();
  private readonly admins: AdminPolicy;
  private readonly limits: { timeoutMs: number; maxBytes: number };
  private readonly toleranceSecs: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly logger: AuditLogger | undefined;
  private endpoint: string | undefined;
  private readonly discoveryUrl: string | undefined;
  private failures = 0;
  private retryAt = 0;

  constructor(options: IntrospectionProviderOptions) {
    const problem = urlProblem(options.issuer);
    if (problem) throw new TypeError(`"issuer" ${problem}`);
    if (options.endpoint !== undefined) {
      const endpointProblem = urlProblem(options.endpoint);
      if (endpointProblem) throw new TypeError(`"endpoint" ${endpointProblem}`);
    }
    const { clientId, clientSecret } = options.client ?? {};
    if (typeof clientId !== 'string' || clientId.length === 0)
      throw new TypeError('"client.clientId" is required');
    if (typeof clientSecret !== 'string' || clientSecret.length === 0) {
      throw new TypeError('"client.clientSecret" is required');
    }
    const audiences =
      typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
    if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a.length === 0)) {
      throw new TypeError('"audience" is required');
    }
    const d = DEFAULTS;
    const size = options.tokenCacheSize ?? d.tokenCacheSize;
    const ttlSecs = options.tokenCacheTtlSecs ?? d.tokenCacheTtlSecs;
    this.issuer = options.issuer;
    this.audiences = audiences;
    this.client = { ...options.client };
    this.endpoint = options.endpoint;
    this.discoveryUrl = options.discoveryUrl;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.ttlMs = ttlSecs * 1000;
    this.toleranceSecs = options.clockToleranceSecs ?? d.clockToleranceSecs;
    this.limits = {
      timeoutMs: options.httpTimeoutMs ?? d.httpTimeoutMs,
      maxBytes: options.maxResponseBytes ?? d.maxResponseBytes,
    };
    this.admins = options.admins instanceof AdminPolicy ? options.admins : new AdminPolicy(options.admins);
    this.cache = new TokenCache({ size, ttlSecs, now: this.now, admitFirst: true });
    this.inactive = size > 0 && ttlSecs > 0 ? new LRUCache({ max: size }) : undefined;
  }

  /** Opaque bearer credentials only: a JWT-shaped token is never sent to the issuer. */
  accepts(token: string): boolean {
    return !looksLikeJws(token) && isBearerToken(token);
  }

  /** The identity cached for `token`, if it is cached (no I/O). */
  peek(token: string): AuthContext | undefined {
    return this.cache.get(token);
  }

  /** A cached answer synchronously; otherwise the introspection call (shared by concurrent requests). */
  resolve(token: string): AuthContext | Promise<AuthContext> {
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached;
    assertTokenSyntax(token);
    return this.validateToken(token);
  }

  validateToken(token: string): Promise<AuthContext> {
    const cached = this.cache.get(token);
    if (cached) return Promise.resolve(cached);
    const digest = sha256(token, 'base64');
    const inactiveUntil = this.inactive?.get(digest);
    if (inactiveUntil !== undefined) {
      if (this.now() < inactiveUntil) return Promise.reject(new TokenInactiveError(this.issuer));
      this.inactive!.delete(digest);
    }
    let pending = this.inflight.get(digest);
    if (pending === undefined) {
      pending = this.lookup(token, digest).finally(() => this.inflight.delete(digest));
      this.inflight.set(digest, pending);
    }
    return pending;
  }

  /** Forgets every cached answer. */
  clearTokenCache(): void {
    this.cache.clear();
    this.inactive?.clear();
  }

  private async lookup(token: string, digest: string): Promise<AuthContext> {
    const now = this.now();
    if (now < this.retryAt) throw new IssuerUnavailableError(this.issuer, (this.retryAt - now) / 1000);
    let answer: Record<string, unknown>;
    try {
      this.endpoint ??= await discoverEndpoint(
        this.issuer,
        'introspection_endpoint',
        this.limits,
        this.discoveryUrl,
      );
      answer = await introspect(this.endpoint, token, this.client, this.limits);
    } catch (cause) {
      this.failures++;
      const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failures - 1));
      this.retryAt = this.now() + backoff;
      this.logger?.warn(
        {
          event: 'gatehouse.introspection.failed',
          issuer: this.issuer,
          reason: cause instanceof Error ? cause.message : String(cause),
        },
        'token introspection failed',
      );
      throw new IssuerUnavailableError(this.issuer, backoff / 1000, cause);
    }
    this.failures = 0;
    this.retryAt = 0;
    if (answer.active !== true) {
      this.inactive?.set(digest, this.now() + Math.min(this.ttlMs, MAX_NEGATIVE_TTL_MS));
      throw new TokenInactiveError(this.issuer);
    }
    const { context, expiresAtMs } = this.identity(answer);
    this.cache.add(token, context, expiresAtMs);
    return context;
  }

  // RFC 7662 §2.2: the answer describes the token; it is held to the same rules as a JWT's claims.
  private identity(answer: Record<string, unknown>): { context: AuthContext; expiresAtMs: number } {
    const issuer = this.issuer;
    const nowSecs = this.now() / 1000;
    const { iss, exp, nbf, aud, sub, client_id: clientId, token_type: tokenType } = answer;
    if (iss !== undefined && iss !== issuer) {
      throw new InvalidTokenError('token issuer mismatch', { reason: 'claim', claim: 'iss', issuer });
    }
    // A refresh token is active too at most issuers; it is not an access token.
    if (typeof tokenType === 'string' && /^refresh(_token)?$/i.test(tokenType)) {
      throw new InvalidTokenError('not an access token', { reason: 'claim', claim: 'token_type', issuer });
    }
    if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp))) {
      throw new InvalidTokenError('token has no valid expiry', { reason: 'claim', claim: 'exp', issuer });
    }
    if (typeof exp === 'number' && exp <= nowSecs - this.toleranceSecs)
      throw new TokenExpiredError(issuer, exp);
    if (typeof nbf === 'number' && nbf > nowSecs + this.toleranceSecs)
      throw new TokenNotYetValidError(issuer, 'nbf');
    // RFC 7662 makes `aud` optional, but the answer must name this API's audience, as a JWT must: an
    // answer without one may describe a refresh token (some issuers, oidc-provider among them, call those
    // active and give no token_type) or a token meant for any API of the issuer.
    const audiences =
      typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === 'string') : [];
    const audience = audiences.find((a) => this.audiences.includes(a));
    if (audience === undefined) throw new AudienceMismatchError(issuer, this.audiences, audiences);
    const subject = typeof sub === 'string' && sub.length > 0 ? sub : clientId;
    if (typeof subject !== 'string' || subject.length === 0) {
      throw new InvalidTokenError('token has no subject', { reason: 'claim', claim: 'sub', issuer });
    }
    const email = typeof answer.email === 'string' ? answer.email : undefined;
    const emailVerified =
      answer.email_verified === undefined
        ? undefined
        : answer.email_verified === true || answer.email_verified === 'true';
    const context = ownAuthContext({
      subject,
      email,
      emailVerified,
      issuer,
      audience,
      expiresAt: typeof exp === 'number' ? new Date(exp * 1000) : undefined,
      authType: 'oidc',
      isAdmin: this.admins.isAdmin(subject, email, emailVerified),
      scopes: readScopes(answer),
      claims: answer,
    });
    return { context, expiresAtMs: typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY };
  }
}
