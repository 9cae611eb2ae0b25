import {
  createUserTokenSource,
  PassphraseRequiredError,
  requestClientCredentialsToken,
} from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import {
  encryptsRefreshToken,
  loginFunction,
  openClient,
  openDpopKey,
  openStore,
  passphraseSource,
  say,
  warner,
} from '../../session.js';
import { describeExpiry, describeIdentity, identityOf } from '../../ui/describe.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions, withLoginOptions } from '../shared-options.js';

/** `gatehouse login`: a browser login with PKCE (default), a device code, or a client credentials token. */
export function loginCommand(ctx: CommandContext): Command {
  const command = new Command('login')
    .summary('log in and store the tokens')
    .description(
      [
        "Log in and store the tokens in the profile's token file.",
        "authorization_code (the default): opens your browser on the provider's login page (PKCE); the provider redirects back to a one-shot server on http://127.0.0.1:<port>/callback. With --no-browser (or when there is no display) the URL is printed instead, so it also works over SSH with the port forwarded (ssh -L 48080:127.0.0.1:48080).",
        'device_code: prints a code and a URL to open on any other device.',
        'client_credentials: gets a token for the client itself, for services (needs a client secret).',
      ].join('\n\n'),
    );
  withLoginOptions(withConnectionOptions(command));
  return command.action(async (flags: CommandFlags) => {
    const { io } = ctx;
    const settings = await resolveSettings(flags, io.env, warner(io));
    const store = openStore(settings, io);
    const dpop = await openDpopKey(settings, io, flags.dpop);
    const client = openClient(settings, dpop);
    if (settings.encryptRefreshToken && !passphraseSource(io)) {
      // Say so before the browser opens, not after the login when the tokens cannot be saved.
      throw new PassphraseRequiredError(store.path);
    }
    const now = Math.floor(Date.now() / 1000);
    if (settings.grant === 'client_credentials') {
      const tokens = await requestClientCredentialsToken(client);
      await store.withLock(() =>
        store.write({
          ...tokens,
          issuer: client.issuer,
          clientId: client.clientId,
          grantType: 'client_credentials',
          ...(settings.audience ? { audience: settings.audience } : {}),
        }),
      );
      say(io, `Got a client credentials token for ${client.clientId} from ${client.issuer}.`);
      if (dpop) say(io, `It is DPoP-bound to the key ${dpop.thumbprint} (kept beside the token file).`);
      say(io, `Saved to ${store.path} (mode 0600); it expires ${describeExpiry(tokens.expiresAt, now)}.`);
      return;
    }
    const source = createUserTokenSource(client, {
      store,
      grantType: settings.grant,
      login: loginFunction(client, settings, io, { browser: flags.browser !== false }),
    });
    const tokens = await source.login();
    say(io, `Logged in as ${describeIdentity(identityOf(tokens))} at ${client.issuer}.`);
    if (dpop)
      say(io, `The tokens are DPoP-bound to the key ${dpop.thumbprint} (kept beside the token file).`);
    const encrypted = encryptsRefreshToken(settings, io) ? ', refresh token encrypted' : '';
    say(
      io,
      `Tokens saved to ${store.path} (mode 0600${tokens.refreshToken ? encrypted : ', no refresh token'}).`,
    );
  });
}
