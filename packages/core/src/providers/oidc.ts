import type { AuditLogger } from '../audit.js';
import { TokenCache } from '../cache/token-cache.js';
import { type IssuerSettings, validateOidcOptions } from '../config/validate.js';
import { type AuthContext, ownAuthContext } from '../context.js';
import { InvalidTokenError, UnknownIssuerError, UnsupportedAlgorithmError } from '../errors.js';
import { CompiledIssuer, type IssuerName } from '../issuers/compile.js';
import { type IssuerRuleOptions, resolveIssuer } from '../issuers/options.js';
import { IssuerKeys } from '../jwks/issuer-keys.js';
import { type JwsAlgorithm, type VerificationKey, verifySignature } from '../jwt/algorithms.js';
import { type ClaimRules, checkClaims } from '../jwt/claims.js';
import { type CompactJws, decodeCompactJws, type JwsHeader, looksLikeJws } from '../jwt/compact.js';
import type { ProviderInsight } from '../observability/insight.js';
import { AdminPolicy } from '../policy/admins.js';
import type { AuthProvider } from '../provider.js';
import type { DpopMode } from '../sender/constraint.js';

/**
 * One trusted issuer, with the rules of its provider ({@link IssuerRuleOptions}: `preset`, `aliases`,
 * `tenants`, `tokenType`, `clients`, where scopes and roles come from…). The same issuer may be listed
 * twice with different audiences and rules: the token's audience chooses the entry.
 *
 * @example
 * ```ts
 * import type { IssuerOptions } from '@gatehouse/core';
 *
 * const okta: IssuerOptions = {
 *   preset: 'okta',
 *   issuer: 'https://dev-123456.okta.com/oauth2/default',
 *   audience: 'api://default',
 * };
 * ```
 */
export interface IssuerOptions extends IssuerRuleOptions {
  /**
   * The issuer identifier, compared exactly with the token's `iss`. `https://`, or `http://` on loopback.
   * May hold `{tenantid}` (then `tenants` is required).
   */
  readonly issuer: string;
  /**
   * The audience (or audiences) tokens of this issuer must name in `aud`. Required, except in a gate's
   * configuration with a `resource`: then an issuer without it takes the resource's identifier (RFC 8707).
   */
  readonly audience?: string | readonly string[];
  /**
   * The `aud` its back-channel logout tokens carry: the client id (or ids) this service is registered
   * under at the issuer (OpenID Connect Back-Channel Logout 1.0 §2.4). Default: `audience`.
   */
  readonly backchannelLogoutAudience?: string | readonly string[];
  /** The key-set URL; found by OIDC discovery when absent. */
  readonly jwksUri?: string;
  /** Algorithms accepted from this issuer (default: the provider's). */
  readonly algorithms?: readonly JwsAlgorithm[];
  /**
   * DPoP (RFC 9449) for this issuer's tokens: `allowed` (default; bound tokens need the DPoP scheme and a
   * proof), `required` (unbound tokens refused) or `disabled` (the DPoP scheme and bound tokens refused).
   */
  readonly dpop?: DpopMode;
  /**
   * Check this issuer's opaque tokens by RFC 7662 introspection, as this client (at most one issuer);
   * the endpoint comes from discovery unless given.
   */
  readonly introspection?: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly endpoint?: string;
  };
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
  /** Shared secret (at least 32 bytes) of DPoP server nonces (RFC 9449 §8); set, nonces are required. */
  readonly dpopNonceSecret?: string;
  /** How often the DPoP nonce changes, in seconds. Default 60. */
  readonly dpopNonceRotationSecs?: number;
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

/** A JWT whose signature {@link OidcAuthProvider.verifySignature} checked. */
export interface VerifiedJwt {
  /**
   * The trusted issuer that signed it: the configured issuer (its tenant filled in), whichever alias the
   * token's `iss` used, as in `auth.issuer`.
   */
  readonly issuer: string;
  /** The audiences configured for that issuer. */
  readonly audiences: readonly string[];
  readonly header: JwsHeader;
  readonly payload: Record<string, unknown>;
}

/** One entry of the issuers list, compiled, with its claim rules for one `iss` spelling. */
interface Entry {
  readonly compiled: CompiledIssuer;
  readonly rules: ClaimRules;
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
}

/** What an `iss` value leads to: its spelling's facts, the entries that accept it, their keys. */
interface TrustedName {
  readonly name: IssuerName;
  readonly keys: IssuerKeys;
  /** Usually one; several when the same issuer is listed with different audiences. */
  readonly entries: readonly Entry[];
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
  /** Every accepted `iss` value (aliases and each trusted tenant included), resolved at construction. */
  private readonly names = new Map<string, TrustedName>();
  private readonly compiled: CompiledIssuer[] = [];
  private readonly keySets = new Map<string, IssuerKeys>();
  private issuerLabels: readonly string[] | undefined;
  private readonly cache: TokenCache;
  private readonly admins: AdminPolicy;
  private readonly now: () => number;
  private readonly logoutClientIds = new Map<string, readonly string[]>();

  constructor(options: OidcProviderOptions) {
    // The runtime collaborators are not settings; the settings are validated here, where they enter.
    const { admins, now: clock, logger, ...configured } = options;
    const settings = validateOidcOptions(configured);
    const now = clock ?? Date.now;
    this.now = now;
    this.admins = admins instanceof AdminPolicy ? admins : new AdminPolicy(admins);
    this.cache = new TokenCache({ size: settings.tokenCacheSize, ttlSecs: settings.tokenCacheTtlSecs, now });
    const policy = {
      refreshIntervalMs: settings.jwksRefreshIntervalSecs * 1000,
      cooldownMs: settings.jwksCooldownSecs * 1000,
    };
    const limits = { timeoutMs: settings.httpTimeoutMs, maxBytes: settings.maxResponseBytes };
    for (const entry of settings.issuers) {
      const compiled = new CompiledIssuer(resolveIssuer(entry));
      this.compiled.push(compiled);
      const keys = this.keysFor(
        entry,
        compiled,
        (issuer, discoveryUrl) =>
          new IssuerKeys(issuer, {
            jwksUri: entry.jwksUri,
            discoveryUrl,
            policy,
            limits,
            now,
            logger,
          }),
      );
      const algorithms = new Set(entry.algorithms ?? settings.algorithms);
      for (const [iss, name] of compiled.names) {
        this.addLogoutAudience(name.canonical, entry.backchannelLogoutAudience);
        const rules = {
          issuer: iss,
          audiences: compiled.rules.audiences,
          clockToleranceSecs: settings.clockToleranceSecs,
        };
        const existing = this.names.get(iss);
        // Validation made sure that entries sharing a spelling share their keys and not their audiences.
        const entries = [...(existing?.entries ?? []), { compiled, rules, algorithms }];
        this.names.set(iss, { name: existing?.name ?? name, keys, entries });
      }
    }
  }

  // By the issuer a logout token's signature check reports (its tenant filled in, whatever alias it used).
  private addLogoutAudience(issuer: string, audience: string | readonly string[] | undefined): void {
    if (audience === undefined) return;
    const known = this.logoutClientIds.get(issuer) ?? [];
    this.logoutClientIds.set(issuer, [
      ...new Set([...known, ...(typeof audience === 'string' ? [audience] : audience)]),
    ]);
  }

  // One key set per key source: an issuer's aliases, and the same issuer listed twice, fetch keys once.
  private keysFor(
    entry: IssuerSettings,
    compiled: CompiledIssuer,
    create: (issuer: string, discoveryUrl: string | undefined) => IssuerKeys,
  ): IssuerKeys {
    const { issuer, discoveryUrl } = compiled.rules;
    const source = `${entry.jwksUri ?? discoveryUrl} ${issuer}`;
    let keys = this.keySets.get(source);
    if (keys === undefined) {
      keys = create(issuer, discoveryUrl);
      this.keySets.set(source, keys);
    }
    return keys;
  }

  /** The issuers this provider trusts, as configured (a `{tenantid}` issuer as its template). */
  get issuerNames(): string[] {
    return [...new Set(this.compiled.map((c) => c.issuer))];
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
    const trusted = typeof iss === 'string' ? this.names.get(iss) : undefined;
    if (trusted === undefined) throw this.unknownIssuer(iss);
    const entry =
      trusted.entries.length === 1 ? trusted.entries[0]! : chooseEntry(trusted.entries, jws.payload.aud);
    entry.compiled.precheck(jws.payload, trusted.name);
    const { alg, kid } = jws.header;
    if (!entry.algorithms.has(alg)) throw new UnsupportedAlgorithmError(alg);
    const key = trusted.keys.find(kid, alg);
    if (key !== undefined) return this.accept(token, jws, trusted.name, entry, key);
    return trusted.keys
      .fetchKey(kid, alg)
      .then((fetched) => this.accept(token, jws, trusted.name, entry, fetched));
  }

  // Refusal path only: an `iss` shaped like a `{tenantid}` issuer gets "tenant not accepted", with reason.
  private unknownIssuer(iss: unknown): Error {
    if (typeof iss !== 'string') return new UnknownIssuerError(undefined);
    for (const compiled of this.compiled) {
      const explained = compiled.explainUnknown(iss);
      if (explained !== undefined) return explained;
    }
    return new UnknownIssuerError(iss);
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

  /**
   * Every key set and the token cache, for metrics and readiness, and every issuer an identity may name
   * (each `iss` spelling and what it is reported as), the bounded set of issuer label values.
   */
  insight(): ProviderInsight {
    if (this.issuerLabels === undefined) {
      const issuers = new Set(this.issuerNames);
      for (const [iss, trusted] of this.names) issuers.add(iss).add(trusted.name.canonical);
      this.issuerLabels = [...issuers];
    }
    return { keySets: [...this.keySets.values()], tokenCaches: [this.cache], issuers: this.issuerLabels };
  }

  /** Fetches every issuer's keys now (e.g. at start-up), so the first requests find them cached. */
  async warmUp(): Promise<void> {
    await Promise.all([...this.keySets.values()].map((keys) => keys.refresh()));
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
   * keys, fetched and cached as for access tokens, and returns its header and payload. Only `iss` (with
   * its tenant, for a `{tenantid}` issuer), the algorithm, the signing key's own issuer and the signature
   * are checked: the claims are the caller's to check.
   *
   * @example
   * ```ts
   * const { issuer, payload } = await oidc.verifySignature(logoutToken);
   * ```
   */
  async verifySignature(token: string): Promise<VerifiedJwt> {
    const { header, payload, signingInput, signature } = decodeCompactJws(token);
    const iss = payload.iss;
    const trusted = typeof iss === 'string' ? this.names.get(iss) : undefined;
    if (trusted === undefined) throw this.unknownIssuer(iss);
    const { name, keys, entries } = trusted;
    const entry = entries[0]!;
    const { alg, kid } = header;
    if (!entry.algorithms.has(alg)) throw new UnsupportedAlgorithmError(alg);
    const key = keys.find(kid, alg) ?? (await keys.fetchKey(kid, alg));
    if (!(await verifySignature(alg, key, signingInput, signature))) {
      throw badSignature(name);
    }
    entry.compiled.checkSigner(payload, name, key);
    const audiences =
      entries.length === 1 ? entry.rules.audiences : entries.flatMap((e) => e.rules.audiences);
    return { issuer: name.canonical, audiences, header, payload };
  }

  // Synchronous with node:crypto (the fast path); a promise only where WebCrypto verifies.
  private accept(
    token: string,
    jws: CompactJws,
    name: IssuerName,
    entry: Entry,
    key: VerificationKey,
  ): AuthContext | Promise<AuthContext> {
    const verified = verifySignature(jws.header.alg, key, jws.signingInput, jws.signature);
    if (verified === true) return this.identity(token, jws.payload, name, entry, key);
    if (verified === false) throw badSignature(name);
    return verified.then((valid) => {
      if (!valid) throw badSignature(name);
      return this.identity(token, jws.payload, name, entry, key);
    });
  }

  private identity(
    token: string,
    payload: Record<string, unknown>,
    name: IssuerName,
    entry: Entry,
    key: VerificationKey,
  ): AuthContext {
    const claims = checkClaims(payload, entry.rules, this.now() / 1000);
    const { scopes, roles } = entry.compiled.check(payload, name, key);

    const email = typeof payload.email === 'string' ? payload.email : undefined;
    const emailVerified = readEmailVerified(payload.email_verified);
    const context = ownAuthContext({
      subject: claims.subject,
      email,
      emailVerified,
      issuer: name.canonical,
      audience: claims.audience,
      expiresAt: new Date(claims.exp * 1000),
      authType: 'oidc',
      isAdmin: this.admins.isAdmin(claims.subject, email, emailVerified),
      scopes,
      roles,
      claims: payload,
    });
    this.cache.add(token, context, claims.exp * 1000);
    return context;
  }
}

function badSignature(name: IssuerName): InvalidTokenError {
  return new InvalidTokenError('invalid token signature', { reason: 'signature', issuer: name.canonical });
}

// Entries sharing an issuer differ by audience: the first whose audience the (unverified) token names
// decides; every check of that entry still runs after the signature. None: the first entry refuses it.
function chooseEntry(entries: readonly Entry[], aud: unknown): Entry {
  for (const entry of entries) {
    const { audiences } = entry.rules;
    if (
      typeof aud === 'string'
        ? audiences.includes(aud)
        : Array.isArray(aud) && aud.some((a) => audiences.includes(a))
    ) {
      return entry;
    }
  }
  return entries[0]!;
}

// Some providers send email_verified as a string. Anything present but not true counts as unverified.
function readEmailVerified(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  return value === true || value === 'true';
}
