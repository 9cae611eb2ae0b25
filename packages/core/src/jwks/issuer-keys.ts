import type { AuditLogger } from '../audit.js';
import { IssuerUnavailableError, UnknownKeyError } from '../errors.js';
import { type JwsAlgorithm, keyFitsAlgorithm, type VerificationKey } from '../jwt/algorithms.js';
import type { ObservedKeySet } from '../observability/insight.js';
import { discoverEndpoint } from './discovery.js';
import { type FetchLimits, fetchJson } from './fetch-json.js';
import { importKeySet, prepareKeySet } from './key-set.js';

/** Timing rules of an issuer's key set, in milliseconds. */
export interface KeyRefreshPolicy {
  /** Keys older than this are re-fetched in the background while they keep serving. */
  readonly refreshIntervalMs: number;
  /** At most one fetch per window, however many unknown `kid`s arrive. */
  readonly cooldownMs: number;
}

const FIRST_RETRY_MS = 1000;

/**
 * The signing keys of one issuer: found by OIDC discovery (or a configured `jwks_uri`), fetched once
 * for all concurrent callers, refreshed in the background when old, re-fetched for an unknown `kid` at
 * most once per cooldown window, and kept serving while the issuer is unreachable.
 */
export class IssuerKeys implements ObservedKeySet {
  /** Completed key-set loads (discovery when needed, then the JWKS), by result. */
  readonly fetches = { success: 0, failure: 0 };
  private keys: readonly VerificationKey[] = [];
  private byKid = new Map<string, VerificationKey[]>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private retryAt = 0;
  private failures = 0;
  private inflight: Promise<void> | undefined;
  private jwksUri: string | undefined;

  constructor(
    readonly issuer: string,
    private readonly options: {
      readonly jwksUri?: string;
      /**
       * Where the discovery document is, when not under the issuer (Entra's `{tenantid}` issuers). The
       * document must still name `issuer` exactly.
       */
      readonly discoveryUrl?: string;
      readonly policy: KeyRefreshPolicy;
      readonly limits: FetchLimits;
      readonly now: () => number;
      readonly logger?: AuditLogger;
    },
  ) {
    this.jwksUri = options.jwksUri;
  }

  /** The cached key for `kid`/`alg`, without waiting; starts a background refresh when the set is old. */
  find(kid: string | undefined, alg: JwsAlgorithm): VerificationKey | undefined {
    const key = this.lookup(kid, alg);
    if (key !== undefined && this.inflight === undefined) {
      const now = this.options.now();
      const { refreshIntervalMs, cooldownMs } = this.options.policy;
      if (now - this.loadedAt >= refreshIntervalMs && now - this.attemptedAt >= cooldownMs) {
        this.refresh().catch(() => {}); // failures are logged; the current keys keep serving
      }
    }
    return key;
  }

  /**
   * The key for a `kid` that {@link find} did not know: loads the key set if it never loaded (rejecting
   * with {@link IssuerUnavailableError} when the issuer cannot be reached), or re-fetches it if the cooldown
   * allows; rejects with {@link UnknownKeyError} when the key is still unknown.
   */
  async fetchKey(kid: string | undefined, alg: JwsAlgorithm): Promise<VerificationKey> {
    const now = this.options.now();
    if (this.loadedAt === Number.NEGATIVE_INFINITY) {
      if (this.inflight === undefined && now < this.retryAt) {
        throw new IssuerUnavailableError(this.issuer, (this.retryAt - now) / 1000);
      }
      try {
        await this.refresh();
      } catch (cause) {
        throw new IssuerUnavailableError(this.issuer, (this.retryAt - this.options.now()) / 1000, cause);
      }
    } else if (this.inflight !== undefined || now - this.attemptedAt >= this.options.policy.cooldownMs) {
      await this.refresh().catch(() => {});
    }
    const key = this.lookup(kid, alg);
    if (key === undefined) throw new UnknownKeyError(this.issuer, kid);
    return key;
  }

  /** Fetches the key set now, sharing an in-flight fetch. */
  refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.attemptedAt = this.options.now();
    this.inflight = this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The fetch in flight, if any. */
  get pending(): Promise<void> | undefined {
    return this.inflight;
  }

  /** Number of usable keys cached. */
  get size(): number {
    return this.keys.length;
  }

  /** Whether a key set was ever loaded (it keeps serving while later fetches fail). */
  get loaded(): boolean {
    return this.loadedAt !== Number.NEGATIVE_INFINITY;
  }

  /** Seconds since the key set was last loaded, or undefined while none ever loaded. */
  ageSecs(): number | undefined {
    return this.loaded ? Math.max(0, (this.options.now() - this.loadedAt) / 1000) : undefined;
  }

  private lookup(kid: string | undefined, alg: JwsAlgorithm): VerificationKey | undefined {
    if (kid !== undefined) {
      const candidates = this.byKid.get(kid);
      if (candidates === undefined) return undefined;
      for (const key of candidates) if (keyFitsAlgorithm(key, alg)) return key;
      return undefined;
    }
    // No kid: usable only when exactly one key fits, never by trying several.
    let found: VerificationKey | undefined;
    for (const key of this.keys) {
      if (!keyFitsAlgorithm(key, alg)) continue;
      if (found !== undefined) return undefined;
      found = key;
    }
    return found;
  }

  private async load(): Promise<void> {
    const { limits, logger } = this.options;
    try {
      const jwksUri = this.jwksUri ?? (await this.discover());
      let document: Record<string, unknown>;
      try {
        document = await fetchJson(jwksUri, limits);
      } catch (err) {
        // A discovered jwks_uri may have moved: discover again next time.
        if (this.options.jwksUri === undefined) this.jwksUri = undefined;
        throw err;
      }
      const { keys, skipped } = await prepareKeySet(importKeySet(document));
      const byKid = new Map<string, VerificationKey[]>();
      for (const key of keys) {
        if (key.kid === undefined) continue;
        const list = byKid.get(key.kid);
        if (list) list.push(key);
        else byKid.set(key.kid, [key]);
      }
      this.keys = keys;
      this.byKid = byKid;
      this.loadedAt = this.options.now();
      this.failures = 0;
      this.retryAt = 0;
      this.fetches.success++;
      logger?.info(
        {
          event: 'gatehouse.jwks.loaded',
          issuer: this.issuer,
          kids: keys.map((k) => k.kid ?? null),
          skipped,
        },
        'issuer keys loaded',
      );
    } catch (err) {
      this.failures++;
      this.fetches.failure++;
      const backoff = Math.min(this.options.policy.cooldownMs, FIRST_RETRY_MS * 2 ** (this.failures - 1));
      this.retryAt = this.options.now() + Math.max(backoff, 1);
      logger?.warn(
        {
          event: 'gatehouse.jwks.failed',
          issuer: this.issuer,
          reason: err instanceof Error ? err.message : String(err),
          cachedKeys: this.keys.length,
        },
        'issuer keys could not be fetched',
      );
      throw err;
    }
  }

  private async discover(): Promise<string> {
    const jwksUri = await discoverEndpoint(
      this.issuer,
      'jwks_uri',
      this.options.limits,
      this.options.discoveryUrl,
    );
    this.jwksUri = jwksUri;
    return jwksUri;
  }
}
