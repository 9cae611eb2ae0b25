/**
 * A browser-like session at the dev IdP: logins that share one cookie jar (as in one browser), and the
 * end of that session (RP-initiated logout), which makes oidc-provider send back-channel logout tokens to
 * every client the session logged in to.
 */
import type Provider from 'oidc-provider';
import { CookieJar, drive, HeadlessFlowError, type HeadlessUser } from './headless.js';

/** One back-channel logout token the dev IdP sent (or tried to) when a session ended. */
export interface BackchannelDelivery {
  /** The client whose `backchannel_logout_uri` was called. */
  readonly clientId: string;
  /** Whether it answered 200 (or 204). */
  readonly delivered: boolean;
  /** Why not, when it did not. */
  readonly error?: string;
}

/** A person's browser at the dev IdP: see `DevIdp.session()`. */
export interface DevIdpSession {
  /**
   * Like `loginHeadless`, in this session: the provider's session cookie stays here, so a later login
   * through another client is single sign-on and {@link logout} ends them all.
   */
  login(authorizationUrl: string, user: HeadlessUser, options?: { deliver?: boolean }): Promise<string>;
  /**
   * Ends the session at the provider ("sign out everywhere"): every client it logged in to that has a
   * `backchannel_logout_uri` is first sent a logout token. Resolves to those deliveries.
   */
  logout(): Promise<BackchannelDelivery[]>;
}

const MAX_RECORDED = 100;

/** Records the provider's back-channel logout deliveries, newest last (the last 100). */
export function recordBackchannelDeliveries(provider: Provider): BackchannelDelivery[] {
  const log: BackchannelDelivery[] = [];
  const push = (delivery: BackchannelDelivery) => {
    log.push(delivery);
    if (log.length > MAX_RECORDED) log.shift();
  };
  provider.on('backchannel.success', (_ctx, client) => push({ clientId: client.clientId, delivered: true }));
  provider.on('backchannel.error', (_ctx, err, client) =>
    push({ clientId: client.clientId, delivered: false, error: err.message }),
  );
  return log;
}

/** A new session on the dev IdP at `issuer`. */
export function createSession(issuer: string, deliveries: readonly BackchannelDelivery[]): DevIdpSession {
  const jar = new CookieJar();
  const origin = new URL(issuer).origin;
  return {
    async login(authorizationUrl, user, { deliver = false } = {}) {
      const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
      if (!redirectUri) {
        throw new HeadlessFlowError(
          'UNEXPECTED_RESPONSE',
          'the authorization URL has no redirect_uri',
          authorizationUrl,
        );
      }
      const result = await drive(authorizationUrl, {
        origin,
        user,
        jar,
        stopAt: (url) =>
          url === redirectUri || url.startsWith(`${redirectUri}?`) || url.startsWith(`${redirectUri}#`),
      });
      if (result.kind !== 'redirect') {
        throw new HeadlessFlowError(
          'UNEXPECTED_RESPONSE',
          'the flow ended without a redirect',
          authorizationUrl,
        );
      }
      if (deliver) await (await fetch(result.url, { redirect: 'manual' })).body?.cancel();
      return result.url;
    },

    async logout() {
      const discovery = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      const endSession = ((await discovery.json()) as { end_session_endpoint?: string }).end_session_endpoint;
      if (!endSession) throw new HeadlessFlowError('UNEXPECTED_RESPONSE', 'no end_session_endpoint', issuer);
      const before = deliveries.length;
      const result = await drive(endSession, { origin, user: { username: '', password: '' }, jar });
      if (result.kind !== 'logged-out') {
        throw new HeadlessFlowError('UNEXPECTED_RESPONSE', 'the logout did not complete', endSession);
      }
      return deliveries.slice(before);
    },
  };
}
