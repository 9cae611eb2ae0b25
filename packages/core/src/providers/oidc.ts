import type { AuditLogger } from '../audit.js';
import { TokenCache } from '../cache/token-cache.js';
import { DEFAULTS } from '../config/defaults.js';
import { type OidcSettings, validateOidcOptions } from '../config/validate.js';
import { isValidated } from '../config/validated.js';
import { type AuthContext, ownAuthContext } from '../context.js';
import { InvalidTokenError, UnknownIssuerError, UnsupportedAlgorithmError } from '../errors.js';
import { IssuerKeys } from '../jwks/issuer-keys.js';
import { type JwsAlgorithm, type VerificationKey, verifySignature } from '../jwt/algorithms.js';
import { type ClaimRules, checkClaims, readScopes } from '../jwt/claims.js';
import { type CompactJws, decodeCompactJws, type JwsHeader, looksLikeJws } from '../jwt/compact.js';
import { AdminPolicy } from '../policy/admins.js';
import type { AuthProvider } from '../provider.js';

/** One trusted issuer. The same issuer may be listed twice with different audiences. */
export interface IssuerOptions {
  /** The issuer identifier, compared exactly with the token's `iss`. `https://`, or `http://` on loopback. */
  readonly issuer: string;
  /** The audience (or audiences) tokens of this issuer must name in `aud`. */
  readonly audience: string | readonly string[];
  /**
   * The `aud` its back-channel logout tokens carry: the client id (or ids) this service is registered
   * under at the issuer (OpenID Connect Back-Channel Logout 1.0 §2.4). Default: `audience`.
   */
  readonly backchannelLogoutAudience?: string | readonly string[];
  /** The key-set URL; found by OIDC discovery when absent. */
  readonly jwksUri?: string;
  /** Algorithms accepted from this issuer (default: the provider's). */
  readonly algorithms?: readonly JwsAlgorithm[];
}

/** Options of {@link OidcAuthProvider}; every duration is in seconds. */
export interface OidcProviderOptions {
  readonly issuers: readonly IssuerOptions[];
  /** How old a key set may grow before it is re-fetched in the background. Default 3600. */
  readonly jwksRefreshIntervalSecs?: number;
  /** Minimum time between two key-set fetches of one issuer, e.g. for unknown `kid`s. Default 30. */
  readonly jwksCooldownSecs?: number;
  /**
   * Validated tokens kept (LRU); a token is cached the second time it is verified, so one-off tokens cost
   * nothing. Default 1000; 0 disables the cache.
   */
  readonly tokenCacheSize?: number;
  /** Longest a validated token stays cached (never past its `exp`). Default 300; 0 disables the cache. */
  readonly tokenCacheTtlSecs?: number;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`. Default 60. */
  readonly clockToleranceSecs?: number;
  /** Accepted signing algorithms. Default: every supported asymmetric algorithm. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Subjects or emails with admin rights. */
  readonly admins?: readonly string[] | AdminPolicy;
  /** Timeout of discovery and key-set requests, in milliseconds. Default 5000. */
  readonly httpTimeoutMs?: number;
  /** Largest discovery or key-set response accepted, in bytes. Default 524288. */
  readonly maxResponseBytes?: number;
  /** Current time in milliseconds since the epoch (for tests). Default `Date.now`. */
  readonly now?: () => number;
  /** Receives key-set events (loaded, failed). */
  readonly logger?: AuditLogger;
}

/** The defaults of {@link OidcProviderOptions} (from the one table, `DEFAULTS`). */
export const OIDC_DEFAULTS = Object.freeze({
  jwksRefreshIntervalSecs: DEFAULTS.jwksRefreshIntervalSecs,
  jwksCooldownSecs: DEFAULTS.jwksCooldownSecs,
  tokenCacheSize: DEFAULTS.tokenCacheSize,
  tokenCacheTtlSecs: DEFAULTS.tokenCacheTtlSecs,
  clockToleranceSecs: DEFAULTS.clockToleranceSecs,
  httpTimeoutMs: DEFAULTS.httpTimeoutMs,
  maxResponseBytes: DEFAULTS.maxResponseBytes,
});

/** A JWT whose signature {@link OidcAuthProvider.verifySignature} checked. */
export interface VerifiedJwt {
  /** The trusted issuer that signed it (its `iss`). */
  readonly issuer: string;
  /** The audiences configured for that issuer. */
  readonly audiences: readonly string[];
  readonly header: JwsHeader;
  readonly payload: Record<string, unknown>;
}

interface TrustedIssuer {
  readonly rules: ClaimRules;
  readonly keys: IssuerKeys;
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
}

/**
 * Validates JWT bearer tokens from several OIDC issuers at once. A token is checked against the keys of
 * the one issuer its (unverified) `iss` names, never by trying every issuer, so issuer A's claims signed
 * with issuer B's key fail. Validated tokens are cached by digest until the sooner of the cache TTL and
 * their expiry.
 *
 * @example
 * ```ts
 * const oidc = new OidcAuthProvider({
 *   issuers: [{ issuer: 'https://accounts.google.com', audience: 'my-client-id.apps.googleusercontent.com' }],
 *   admins: ['alice@example.com'],
 * });
 * const auth = await oidc.validateToken(jwt);
 * ```
 */
export class OidcAuthProvider implements AuthProvider {
  private readonly issuers = new Map<string, TrustedIssuer>();
  private readonly cache: TokenCache;
  private readonly admins: AdminPolicy;
  private readonly now: () => number;
  private readonly logoutClientIds = new Map<string, readonly string[]>();

  constructor(options: OidcProviderOptions) {
    const settings = isValidated(options) ? (options as OidcSettings) : validateOidcOptions(options);
    const now = options.now ?? Date.now;
    this.now = now;
    this.admins = options.admins instanceof AdminPolicy ? options.admins : new AdminPolicy(options.admins);
    for (const { issuer, backchannelLogoutAudience: aud } of settings.issuers) {
      if (aud !== undefined) this.logoutClientIds.set(issuer, typeof aud === 'string' ? [aud] : [...aud]);
    }
    this.cache = new TokenCache({ size: settings.tokenCacheSize, ttlSecs: settings.tokenCacheTtlSecs, now });
    const policy = {
      refreshIntervalMs: settings.jwksRefreshIntervalSecs * 1000,
      cooldownMs: settings.jwksCooldownSecs * 1000,
    };
    const limits = { timeoutMs: settings.httpTimeoutMs, maxBytes: settings.maxResponseBytes };
    for (const entry of settings.issuers) {
      const audiences = typeof entry.audience === 'string' ? [entry.audience] : [...entry.audience];
      const existing = this.issuers.get(entry.issuer);
      if (existing) {
        // The same issuer listed again adds audiences; its keys are fetched once.
        (existing.rules.audiences as string[]).push(...audiences);
        continue;
      }
      this.issuers.set(entry.issuer, {
        rules: { issuer: entry.issuer, audiences, clockToleranceSecs: settings.clockToleranceSecs },
        keys: new IssuerKeys(entry.issuer, {
          jwksUri: entry.jwksUri,
          policy,
          limits,
          now,
          logger: options.logger,
        }),
        algorithms: new Set(entry.algorithms ?? settings.algorithms),
      });
    }
  }

  /** The issuers this provider trusts. */
  get issuerNames(): string[] {
    return [...this.issuers.keys()];
  }

  accepts(token: string): boolean {
    return looksLikeJws(token);
  }

  /**
   * The identity behind a JWT: from the cache, or verified synchronously when the issuer's keys are in
   * memory; a promise only while a key set is being fetched. Throws (or rejects with) an `AuthError`.
   */
  resolve(token: string): AuthContext | Promise<AuthContext> {
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached;
    // The strict base64url decoding below is this path's syntax check: a token that decodes is a b64token.
    const jws = decodeCompactJws(token);
    const iss = jws.payload.iss;
    const trusted = typeof iss === 'string' ? this.issuers.get(iss) : undefined;
    if (trusted === undefined) throw new UnknownIssuerError(typeof iss === 'string' ? iss : undefined);
    const { alg, kid } = jws.header;
    if (!trusted.algorithms.has(alg)) throw new UnsupportedAlgorithmError(alg);
    const key = trusted.keys.find(kid, alg);
    if (key !== undefined) return this.accept(token, jws, trusted, key);
    return trusted.keys.fetchKey(kid, alg).then((fetched) => this.accept(token, jws, trusted, fetched));
  }

  /** The identity cached for `token`, if it is cached (no verification, no syntax check, no I/O). */
  peek(token: string): AuthContext | undefined {
    return this.cache.get(token);
  }

  validateToken(token: string): Promise<AuthContext> {
    try {
      return Promise.resolve(this.resolve(token));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Fetches every issuer's keys now (e.g. at start-up), so the first requests find them cached. */
  async warmUp(): Promise<void> {
    await Promise.all([...this.issuers.values()].map(({ keys }) => keys.refresh()));
  }

  /** Forgets every validated token (keys stay cached). */
  clearTokenCache(): void {
    this.cache.clear();
  }

  /**
   * The `aud` values a back-channel logout token from `issuer` must name: its `backchannelLogoutAudience`,
   * or undefined when none is configured (then its `audience`).
   *
   * @example
   * ```ts
   * oidc.logoutAudiences('https://login.example.com'); // ['telemetry-portal']
   * ```
   */
  logoutAudiences(issuer: string): readonly string[] | undefined {
    return this.logoutClientIds.get(issuer);
  }

  /**
   * Verifies the signature of any JWT from a trusted issuer (a logout token, say) with that issuer's
   * keys, fetched and cached as for access tokens, and returns its header and payload. Only `iss`,
   * the algorithm and the signature are checked: the claims are the caller's to check.
   *
   * @example
   * ```ts
   * const { issuer, payload } = await oidc.verifySignature(logoutToken);
   * ```
   */
  async verifySignature(token: string): Promise<VerifiedJwt> {
    const { header, payload, signingInput, signature } = decodeCompactJws(token);
    const iss = payload.iss;
    const trusted = typeof iss === 'string' ? this.issuers.get(iss) : undefined;
    if (trusted === undefined) throw new UnknownIssuerError(typeof iss === 'string' ? iss : undefined);
    const { alg, kid } = header;
    if (!trusted.algorithms.has(alg)) throw new UnsupportedAlgorithmError(alg);
    const key = trusted.keys.find(kid, alg) ?? (await trusted.keys.fetchKey(kid, alg));
    if (!verifySignature(alg, key, signingInput, signature)) {
      throw new InvalidTokenError('invalid token signature', {
        reason: 'signature',
        issuer: trusted.rules.issuer,
      });
    }
    return { issuer: trusted.rules.issuer, audiences: trusted.rules.audiences, header, payload };
  }

  private accept(token: string, jws: CompactJws, trusted: TrustedIssuer, key: VerificationKey): AuthContext {
    const { header, payload, signingInput, signature } = jws;
    if (!verifySignature(header.alg, key, signingInput, signature)) {
      throw new InvalidTokenError('invalid token signature', {
        reason: 'signature',
        issuer: trusted.rules.issuer,
      });
    }
    const claims = checkClaims(payload, trusted.rules, this.now() / 1000);

    const email = typeof payload.email === 'string' ? payload.email : undefined;
    const emailVerified = readEmailVerified(payload.email_verified);
    const context = ownAuthContext({
      subject: claims.subject,
      email,
      emailVerified,
      issuer: trusted.rules.issuer,
      audience: claims.audience,
      expiresAt: new Date(claims.exp * 1000),
      authType: 'oidc',
      isAdmin: this.admins.isAdmin(claims.subject, email, emailVerified),
      scopes: readScopes(payload),
      claims: payload,
    });
    this.cache.add(token, context, claims.exp * 1000);
    return context;
  }
}

// Some providers send email_verified as a string. Anything present but not true counts as unverified.
function readEmailVerified(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  return value === true || value === 'true';
}
