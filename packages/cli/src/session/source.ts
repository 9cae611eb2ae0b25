import {
  createClientCredentialsSource,
  createFileTokenStore,
  createTokenExchangeSource,
  createUserTokenSource,
  DEFAULT_PROFILE,
  type DpopKey,
  IdTokenUnavailableError,
  type PresentedToken,
  type PresentedTokenType,
  presentedToken,
  type TokenSetSource,
  type TokenSource,
} from '@gatehouse/client';
import type { Settings } from '../config/settings.js';
import { ConfigError } from '../errors.js';
import type { CliIO } from '../io.js';
import { openClient, openExchangeClient, requireClientSettings } from './client.js';
import { openLoginDpop } from './dpop.js';
import { type LoginUi, loginFunction } from './login.js';
import { warner } from './output.js';
import { withResource } from './resource.js';
import { keychainFor, openStore, passphraseSource } from './store.js';

/**
 * What `token`, `exec`, `whoami` and the daemon use: the token the profile sends (the access or ID token of
 * its login, or the token its exchange step gives), renewed as needed.
 */
export interface CliSession extends TokenSource {
  /** The token to send, with its own expiry. */
  current(): Promise<PresentedToken>;
  invalidate(token: string): void;
  /** The key the token is DPoP-bound to: it is sent with a proof per request (RFC 9449). */
  readonly dpop?: DpopKey;
}

/** A login as a token source, and the DPoP key its tokens are bound to. */
export interface LoginSource {
  source: TokenSetSource;
  dpop?: DpopKey;
}

/** How a command may obtain tokens. */
export interface SessionOptions extends LoginUi {
  /**
   * Whether a missing or dead login may be replaced by an interactive one (a terminal, and a grant that logs
   * in in a browser or on a device). The password grant only ever logs in with `gatehouse login`.
   */
  interactiveLogin: boolean;
}

/** The `gatehouse login` advice for the profile. */
export function loginHint(settings: Settings): string {
  const profile = settings.profile === DEFAULT_PROFILE ? '' : ` --profile ${settings.profile}`;
  return `run \`gatehouse login${profile}${settings.dpop ? ' --dpop' : ''}\``;
}

/** The login of a profile (client credentials, or a stored person's login) as a token source. */
export async function openLoginSource(
  configured: Settings,
  hintFor: Settings,
  io: CliIO,
  options: SessionOptions,
): Promise<LoginSource> {
  const login = await withResource(configured, io, 'unless-stored');
  requireClientSettings(login);
  if (login.grant === 'client_credentials' && login.tokenType === 'id_token') {
    throw new ConfigError(
      'tokenType',
      'The client_credentials grant gives no ID token: use --token-type access_token for a service.',
    );
  }
  const { key: dpop, store } = await openLoginDpop(login, await openStore(login, io), io);
  const client = openClient(login, dpop);
  if (login.grant === 'client_credentials') {
    return { source: createClientCredentialsSource(client, { store }), ...(dpop ? { dpop } : {}) };
  }
  const interactive = options.interactiveLogin && io.interactive && login.grant !== 'password';
  const source = createUserTokenSource(client, {
    store,
    grantType: login.grant,
    tokenType: login.tokenType,
    // First run with nothing stored, or a dead refresh token: log in when someone is there to do it.
    ...(interactive ? { login: loginFunction(client, login, io, options) } : {}),
    loginHint: loginHint(hintFor),
  });
  return { source, ...(dpop ? { dpop } : {}) };
}

/** The session of the profile: its login, followed by its exchange step when it has one. */
export async function openSession(
  settings: Settings,
  io: CliIO,
  options: SessionOptions,
): Promise<CliSession> {
  const { exchange } = settings;
  if (!exchange) {
    const { source, dpop } = await openLoginSource(settings, settings, io, options);
    return present(source, settings.tokenType, dpop);
  }
  // The exchanged token is a bearer token (settings refuse --dpop here); the login may be DPoP-bound.
  const { source: subject } = await openLoginSource(exchange.source, settings, io, options);
  const keychain = await keychainFor(settings, io);
  const passphrase = passphraseSource(io);
  const store = createFileTokenStore({
    path: exchange.tokenFile,
    ...(keychain ? { keychain } : {}),
    ...(passphrase ? { passphrase } : {}),
    onWarning: warner(io),
  });
  const source = createTokenExchangeSource(() => openExchangeClient(settings, exchange, io), {
    subject,
    store,
    ...(exchange.audience ? { audience: exchange.audience } : {}),
    ...(exchange.resource ? { resource: exchange.resource } : {}),
    ...(exchange.requestedTokenType ? { requestedTokenType: exchange.requestedTokenType } : {}),
  });
  return present(source, 'access_token');
}

function present(source: TokenSetSource, type: PresentedTokenType, dpop?: DpopKey): CliSession {
  const current = async (): Promise<PresentedToken> => {
    const sent = presentedToken(await source.getTokenSet(), type);
    if (!sent) throw new IdTokenUnavailableError('the stored login has no ID token');
    return sent;
  };
  return {
    current,
    getToken: async () => (await current()).token,
    invalidate: (token) => source.invalidate(token),
    ...(dpop ? { dpop } : {}),
  };
}
