import {
  createClientCredentialsSource,
  createFileTokenStore,
  createOidcClient,
  createUserTokenSource,
  DEFAULT_PROFILE,
  type DpopKey,
  type LoginFunction,
  loadDpopKey,
  loginWithAuthorizationCode,
  loginWithDeviceCode,
  type OidcClient,
  type PassphraseSource,
  passphraseFromEnv,
  type TokenSetSource,
  type TokenStore,
} from '@gatehouse/client';
import { requireSettings, type Settings } from './config/settings.js';
import type { CliIO } from './io.js';
import { browserOpener } from './ui/browser.js';
import { promptHidden } from './ui/prompt.js';
import { startWaiting, type Waiting } from './ui/spinner.js';

/** Writes one human-facing line to stderr. */
export function say(io: CliIO, message: string): void {
  io.stderr.write(`${message}\n`);
}

/** Warnings from the library and the CLI, prefixed, on stderr. */
export function warner(io: CliIO): (message: string) => void {
  return (message) => say(io, `warning: ${message}`);
}

/** The refresh-token passphrase: the environment, else a prompt when someone can answer. */
export function passphraseSource(io: CliIO): PassphraseSource | undefined {
  const fromEnv = passphraseFromEnv(io.env);
  if (fromEnv) return fromEnv;
  if (!io.interactive) return undefined;
  return () => promptHidden(io, 'Passphrase for the refresh token: ');
}

/** Whether a refresh token written now is encrypted: `--encrypt` (or the profile), or a passphrase in the env. */
export function encryptsRefreshToken(settings: Settings, io: CliIO): boolean {
  return settings.encryptRefreshToken || passphraseFromEnv(io.env) !== undefined;
}

/** The token store of the profile, expecting tokens of the configured issuer and client when known. */
export function openStore(settings: Settings, io: CliIO): TokenStore {
  const passphrase = passphraseSource(io);
  return createFileTokenStore({
    path: settings.tokenFile,
    ...(settings.issuer ? { issuer: settings.issuer } : {}),
    ...(settings.clientId ? { clientId: settings.clientId } : {}),
    encrypt: encryptsRefreshToken(settings, io),
    ...(passphrase ? { passphrase } : {}),
    onWarning: warner(io),
  });
}

/** The scope of a person's login when none is configured: identity for `status`, and a refresh token. */
export const DEFAULT_USER_SCOPE = 'openid profile email offline_access';

/**
 * The profile's DPoP key, kept beside its token file and encrypted like its refresh token, when `--dpop`
 * asks for DPoP-bound tokens; undefined otherwise.
 */
export async function openDpopKey(
  settings: Settings,
  io: CliIO,
  dpop: boolean | undefined,
): Promise<DpopKey | undefined> {
  if (!dpop) return undefined;
  requireSettings(settings, ['issuer', 'clientId']);
  const passphrase = passphraseSource(io);
  return loadDpopKey({
    tokenFile: settings.tokenFile,
    issuer: settings.issuer!,
    clientId: settings.clientId!,
    encrypt: encryptsRefreshToken(settings, io),
    ...(passphrase ? { passphrase } : {}),
  });
}

/** The OIDC client of the profile (issuer and client id are required); DPoP-bound tokens with a key. */
export function openClient(settings: Settings, dpop?: DpopKey): OidcClient {
  requireSettings(
    settings,
    settings.grant === 'client_credentials' ? ['issuer', 'clientId', 'clientSecret'] : ['issuer', 'clientId'],
  );
  const scope = settings.scope ?? (settings.grant === 'client_credentials' ? undefined : DEFAULT_USER_SCOPE);
  return createOidcClient({
    issuer: settings.issuer!,
    clientId: settings.clientId!,
    ...(settings.clientSecret ? { clientSecret: settings.clientSecret } : {}),
    ...(scope ? { scope } : {}),
    ...(settings.audience ? { audience: settings.audience } : {}),
    ...(settings.tokenEndpoint ? { tokenEndpoint: settings.tokenEndpoint } : {}),
    ...(dpop ? { dpop } : {}),
  });
}

/** Options of an interactive login. */
export interface LoginUi {
  /** False with `--no-browser`. */
  browser: boolean;
}

/** The interactive login of the profile's grant (browser + PKCE, or device code), with its messages. */
export function loginFunction(client: OidcClient, settings: Settings, io: CliIO, ui: LoginUi): LoginFunction {
  if (settings.grant === 'device_code') {
    return async () => {
      let waiting: Waiting = { stop: () => {} };
      try {
        return await loginWithDeviceCode(client, {
          signal: io.signal,
          onPrompt: ({ verificationUri, verificationUriComplete, userCode }) => {
            say(io, `To sign in, open ${verificationUri} and enter the code: ${userCode}`);
            if (verificationUriComplete) say(io, `Or open:\n${verificationUriComplete}`);
            waiting = startWaiting(io.stderr, 'Waiting for you to approve the login… (Ctrl-C to cancel)');
          },
        });
      } finally {
        waiting.stop();
      }
    };
  }
  return async () => {
    const opener = browserOpener(io, ui.browser);
    let waiting: Waiting = { stop: () => {} };
    try {
      return await loginWithAuthorizationCode(client, {
        port: settings.port,
        signal: io.signal,
        openBrowser: opener,
        onAuthorizationUrl: (url) => {
          say(
            io,
            opener
              ? 'Opening your browser to sign in. If it does not open, visit:'
              : 'Open this URL in a browser to sign in:',
          );
          say(io, url);
          const callback = new URL(url).searchParams.get('redirect_uri') ?? '';
          say(io, `Waiting for the login callback on ${callback}… (Ctrl-C to cancel)`);
          waiting = startWaiting(io.stderr, 'Waiting for the browser login…');
        },
        onBrowserError: () => say(io, 'Could not open a browser; open the URL above yourself.'),
      });
    } finally {
      waiting.stop();
    }
  };
}

/** The token source of the profile: client credentials (cached in the token file) or the stored login. */
export function openSource(settings: Settings, io: CliIO, ui: LoginUi, dpop?: DpopKey): TokenSetSource {
  const client = openClient(settings, dpop);
  const store = openStore(settings, io);
  if (settings.grant === 'client_credentials') return createClientCredentialsSource(client, { store });
  return createUserTokenSource(client, {
    store,
    grantType: settings.grant,
    // First run with nothing stored, or a dead refresh token: log in when someone is there to do it.
    ...(io.interactive ? { login: loginFunction(client, settings, io, ui) } : {}),
    loginHint: `run \`gatehouse login${settings.profile === DEFAULT_PROFILE ? '' : ` --profile ${settings.profile}`}\``,
  });
}
