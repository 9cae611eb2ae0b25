import { DEFAULTS } from '../config/defaults.js';
import { IssuerUnavailableError, isAuthError, LogoutTokenError } from '../errors.js';
import type { VerifiedJwt } from '../providers/oidc.js';
import { LocalClaims } from '../state/local-claims.js';
import type { OneTimeIds } from '../state/one-time-ids.js';
import type { Revocation } from '../state/revocation.js';
import type { Revocations } from './revocations.js';

/** The event a logout token carries (OpenID Connect Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Anything that checks a JWT's signature with its issuer's keys: `OidcAuthProvider` does. */
export interface SignatureVerifier {
  verifySignature(token: string): Promise<VerifiedJwt>;
  /** The issuer's configured logout-token audiences (`backchannelLogoutAudience`), if any. */
  logoutAudiences?(issuer: string): readonly string[] | undefined;
}

/** Options of {@link BackchannelLogout}. */
export interface BackchannelLogoutOptions {
  /**
   * The `aud` a logout token must name, by issuer: the client id this service is registered under at
   * that issuer. Default: the issuer's `backchannelLogoutAudience` (`backchannel_logout_audience` in
   * `GATEHOUSE_OIDC_CONFIG`), else its `audience`.
   */
  readonly clientIds?: Readonly<Record<string, readonly string[]>>;
  /** How old (by `iat`) a logout token may be, in seconds. Default 300. */
  readonly maxAgeSecs?: number;
  /** Clock skew tolerated on `iat` and `exp`. Default 60. */
  readonly clockToleranceSecs?: number;
  /** Current time in milliseconds (for tests). */
  readonly now?: () => number;
}

const REPLAY_SCOPE = 'logout-jti';

/**
 * OpenID Connect Back-Channel Logout 1.0 for a resource server: verifies a logout token (§2.6) against
 * the keys of the configured issuer that signed it, refuses a replay (same `iss` + `jti`, on every
 * instance while the store is shared), and revokes that issuer's tokens of its `sub` issued before the
 * logout token's `iat` (or, without `sub`, those of its session `sid`).
 *
 * @example
 * ```ts
 * const logout = new BackchannelLogout(revocations, oidcProvider, {}, state.oneTimeIds);
 * await logout.handle(form.logout_token); // LogoutTokenError → 400, StateUnavailableError → 503
 * ```
 */
export class BackchannelLogout {
  private readonly maxAgeSecs: number;
  private readonly toleranceSecs: number;
  private readonly now: () => number;

  constructor(
    private readonly revocations: Revocations,
    private readonly verifier: SignatureVerifier,
    private readonly options: BackchannelLogoutOptions = {},
    /** Where logout-token ids are remembered: the state's one-time ids (default: this process). */
    private readonly ids: OneTimeIds = new LocalClaims(options.now),
  ) {
    this.maxAgeSecs = options.maxAgeSecs ?? DEFAULTS.logoutTokenMaxAgeSecs;
    this.toleranceSecs = options.clockToleranceSecs ?? DEFAULTS.clockToleranceSecs;
    this.now = options.now ?? Date.now;
  }

  /**
   * Verifies `logoutToken` and revokes what it names on every instance. Rejects with
   * {@link LogoutTokenError} (400), `StateUnavailableError` (503: the revocation could not be stored; the
   * token may be sent again) or `IssuerUnavailableError` (503: the issuer's keys cannot be fetched).
   */
  async handle(logoutToken: unknown): Promise<Revocation> {
    const claims = await this.verify(logoutToken);
    const replayId = `${claims.issuer}\u0000${claims.jti}`;
    const verdict = await this.ids.claim({
      scope: REPLAY_SCOPE,
      id: replayId,
      ttlSecs: this.maxAgeSecs + 2 * this.toleranceSecs,
      issuedAt: (claims.iat - this.toleranceSecs) * 1000,
    });
    if (verdict !== 'fresh') {
      throw verdict === 'replayed'
        ? new LogoutTokenError('replayed', 'logout token already used', { claim: 'jti' })
        : new LogoutTokenError('too_old', 'logout token too old to be checked for a replay', {
            claim: 'iat',
          });
    }
    try {
      return await this.revocations.logout({
        issuer: claims.issuer,
        subject: claims.subject,
        sid: claims.sid,
        issuedBefore: claims.iat,
      });
    } catch (err) {
      // Not revoked: the provider may retry with the same token.
      await this.ids.release(REPLAY_SCOPE, replayId);
      throw err;
    }
  }

  /** §2.6: everything but the replay check. */
  async verify(logoutToken: unknown): Promise<{
    issuer: string;
    jti: string;
    iat: number;
    subject?: string;
    sid?: string;
  }> {
    if (typeof logoutToken !== 'string' || logoutToken.length === 0) {
      throw new LogoutTokenError('malformed', 'logout_token is required');
    }
    if (logoutToken.length > 16_384) throw new LogoutTokenError('malformed', 'logout_token is too long');
    let verified: VerifiedJwt;
    try {
      verified = await this.verifier.verifySignature(logoutToken);
    } catch (err) {
      if (err instanceof IssuerUnavailableError) throw err;
      if (isAuthError(err)) throw new LogoutTokenError('untrusted', `logout token refused: ${err.message}`);
      throw err;
    }
    const { issuer, header, payload } = verified;
    const claim = (name: string, message: string) => new LogoutTokenError('claim', message, { claim: name });

    // Explicit typing (§2.4, RFC 8725 §3.11): when present, typ must say this is a logout token.
    if (header.typ !== undefined && !/^(application\/)?logout\+jwt$/i.test(header.typ)) {
      throw new LogoutTokenError('claim', 'not a logout token', { claim: 'typ' });
    }
    const audiences =
      this.options.clientIds?.[issuer] ?? this.verifier.logoutAudiences?.(issuer) ?? verified.audiences;
    const aud = payload.aud;
    const audOk =
      typeof aud === 'string'
        ? audiences.includes(aud)
        : Array.isArray(aud) && aud.some((a) => typeof a === 'string' && audiences.includes(a));
    if (!audOk) throw claim('aud', 'logout token audience not accepted');

    const nowSecs = this.now() / 1000;
    const { iat, exp, jti, sub, sid, events, nonce } = payload;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw claim('iat', 'logout token has no valid iat');
    if (iat > nowSecs + this.toleranceSecs) throw claim('iat', 'logout token issued in the future');
    if (iat < nowSecs - this.maxAgeSecs - this.toleranceSecs) {
      throw new LogoutTokenError('too_old', 'logout token too old', { claim: 'iat' });
    }
    if (exp !== undefined) {
      if (typeof exp !== 'number' || !Number.isFinite(exp))
        throw claim('exp', 'logout token has an invalid exp');
      if (exp <= nowSecs - this.toleranceSecs)
        throw new LogoutTokenError('too_old', 'logout token expired', { claim: 'exp' });
    }
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 1024) {
      throw claim('jti', 'logout token has no valid jti');
    }
    // A logout token is not an ID token: a nonce would let one be passed off as the other (§2.6 step 5).
    if (nonce !== undefined) throw claim('nonce', 'logout token must not contain a nonce');
    if (
      events === null ||
      typeof events !== 'object' ||
      Array.isArray(events) ||
      !Object.hasOwn(events, BACKCHANNEL_LOGOUT_EVENT)
    ) {
      throw claim('events', 'logout token has no back-channel logout event');
    }
    const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw claim('events', 'logout token event is not a JSON object');
    }
    const subject = typeof sub === 'string' && sub.length > 0 ? sub : undefined;
    const session = typeof sid === 'string' && sid.length > 0 ? sid : undefined;
    if (sub !== undefined && subject === undefined) throw claim('sub', 'logout token has an invalid sub');
    if (sid !== undefined && session === undefined) throw claim('sid', 'logout token has an invalid sid');
    if (subject === undefined && session === undefined)
      throw claim('sub', 'logout token names neither sub nor sid');
    return { issuer, jti, iat, subject, sid: session };
  }
}
