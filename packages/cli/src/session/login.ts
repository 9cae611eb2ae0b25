import {
  type LoginFunction,
  loginWithAuthorizationCode,
  loginWithDeviceCode,
  loginWithPassword,
  type OidcClient,
} from '@gatehouse/client';
import { CLI_ENV, passwordFrom } from '../config/env.js';
import type { Settings } from '../config/settings.js';
import { ConfigError } from '../errors.js';
import type { CliIO } from '../io.js';
import { browserOpener } from '../ui/browser.js';
import { promptHidden, promptLine } from '../ui/prompt.js';
import { startWaiting, type Waiting } from '../ui/spinner.js';
import { say } from './output.js';

/** Options of an interactive login. */
export interface LoginUi {
  /** False with `--no-browser`. */
  browser: boolean;
}

/** The one warning of the password grant, printed at login. */
export const PASSWORD_GRANT_WARNING =
  'warning: the password grant is deprecated (OAuth 2.0 Security BCP, RFC 9700): gatehouse sees your password; prefer authorization_code or device_code.';

/**
 * The login of the profile's grant: browser + PKCE, device code, or (legacy providers) the password grant,
 * with its messages on stderr.
 */
export function loginFunction(client: OidcClient, settings: Settings, io: CliIO, ui: LoginUi): LoginFunction {
  if (settings.grant === 'password') return passwordLogin(client, settings, io);
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

/**
 * The password grant: the user name from `--username` / GATEHOUSE_OIDC_USERNAME / the profile (or asked),
 * the password from GATEHOUSE_OIDC_PASSWORD or a no-echo prompt, never a flag. Without a terminal nothing is
 * read from stdin: a missing value is a configuration error naming its variable.
 */
function passwordLogin(client: OidcClient, settings: Settings, io: CliIO): LoginFunction {
  const fromEnv = passwordFrom(io.env);
  const missing = (what: string, variable: string) =>
    new ConfigError(
      variable,
      `The password grant needs ${what}: set ${variable}${variable === CLI_ENV.username ? ' (or --username)' : ''}, or run in a terminal to be asked.`,
    );
  // Checked before anything is sent, so that a script fails at once.
  if (!settings.username && !io.interactive) throw missing('a user name', CLI_ENV.username);
  if (!fromEnv && !io.interactive) throw missing('a password', CLI_ENV.password);
  return async () => {
    const username = settings.username ?? (await promptLine(io, 'Username: '));
    const password = fromEnv ?? (await promptHidden(io, `Password for ${username}: `));
    return loginWithPassword(client, { username, password });
  };
}
