import {
  createFileTokenStore,
  createUserTokenSource,
  type DpopKey,
  PassphraseRequiredError,
  removeDpopKey,
  requestClientCredentialsToken,
} from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import type { CliIO } from '../../io.js';
import { openClient, requireClientSettings } from '../../session/client.js';
import { newLoginDpop } from '../../session/dpop.js';
import { loginFunction, PASSWORD_GRANT_WARNING } from '../../session/login.js';
import { say, warner } from '../../session/output.js';
import { withResource } from '../../session/resource.js';
import { encryptsRefreshToken, openStore, passphraseSource } from '../../session/store.js';
import { providerAdvice } from '../../ui/advice.js';
import { describeExpiry, describeIdentity, identityOf } from '../../ui/describe.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions, withLoginOptions } from '../shared-options.js';

/**
 * `gatehouse login`: a browser login with PKCE (default), a device code, the password grant, or a client
 * credentials token. For a profile that exchanges its token, the login of the exchange's source.
 */
export function loginCommand(ctx: CommandContext): Command {
  const command = new Command('login')
    .summary('log in and store the tokens')
    .description(
      [
        "Log in and store the tokens in the profile's token file (or the OS keychain with --token-storage keychain).",
        "authorization_code (the default): opens your browser on the provider's login page (PKCE); the provider redirects back to a one-shot server on http://127.0.0.1:<port>/callback. With --no-browser (or when there is no display) the URL is printed instead, so it also works over SSH with the port forwarded (ssh -L 48080:127.0.0.1:48080).",
        'device_code: prints a code and a URL to open on any other device.',
        'password (legacy providers only, deprecated by the OAuth 2.0 Security BCP): --username (or GATEHOUSE_OIDC_USERNAME), the password from GATEHOUSE_OIDC_PASSWORD or a prompt that does not echo; never a flag.',
        'client_credentials: gets a token for the client itself, for services (needs a client secret).',
        'A profile with an "exchange" step logs in at its source (the "from" profile, or its own issuer); the exchange happens when a token is needed.',
        'With --dpop the tokens are DPoP-bound (RFC 9449) to a new key, kept with them in the token store (encrypted, or in the keychain, like the refresh token); later commands use that key, with or without the flag, until `gatehouse logout` deletes it with the tokens.',
        'With --resource <url> (or "resource" in the profile) the tokens are for that protected resource (an MCP server, an API): without --issuer, the issuer is the first authorization server its metadata lists (RFC 9728: the resource is asked once without credentials, and its 401 names the metadata, else the well-known URL is read), and every token request carries it as RFC 8707 `resource`, so the token is for that resource alone. Without --scope, its scopes_supported are asked for too.',
        'Examples:\n  gatehouse login --issuer https://idp.example.com --client-id gatehouse-cli\n  gatehouse login --resource https://mcp.example.com/mcp --client-id gatehouse-cli\n  GATEHOUSE_OIDC_PASSWORD=... gatehouse login --grant password --username alice',
      ].join('\n\n'),
    );
  withLoginOptions(withConnectionOptions(command));
  return command.action(async (flags: CommandFlags) => {
    const { io } = ctx;
    const settings = await resolveSettings(flags, io.env, warner(io));
    const login = await withResource(settings.exchange?.source ?? settings, io, 'always');
    requireClientSettings(login);
    const { key: dpop, store } = await newLoginDpop(login, await openStore(login, io), io);
    const client = openClient(login, dpop);
    if (login.encryptRefreshToken && !passphraseSource(io)) {
      // Say so before the browser opens, not after the login when the tokens cannot be saved.
      throw new PassphraseRequiredError(store.path);
    }
    for (const advice of providerAdvice(client, login)) warner(io)(advice);
    const now = Math.floor(Date.now() / 1000);
    if (login.grant === 'client_credentials') {
      const tokens = await requestClientCredentialsToken(client);
      await store.withLock(() =>
        store.write({
          ...tokens,
          issuer: client.issuer,
          clientId: client.clientId,
          grantType: 'client_credentials',
          ...(login.audience ? { audience: login.audience } : {}),
        }),
      );
      await removeDpopKey(store.path); // an earlier version's key file, for the tokens just replaced
      say(io, `Got a client credentials token for ${client.clientId} from ${client.issuer}.`);
      if (dpop) sayBound(io, dpop, tokens.tokenType, 'It is');
      say(io, `Saved to ${store.path} (mode 0600); it expires ${describeExpiry(tokens.expiresAt, now)}.`);
      return;
    }
    const loginNow = loginFunction(client, login, io, { browser: flags.browser !== false });
    if (login.grant === 'password') say(io, PASSWORD_GRANT_WARNING);
    const source = createUserTokenSource(client, {
      store,
      grantType: login.grant,
      tokenType: login.tokenType,
      login: loginNow,
    });
    const tokens = await source.login();
    await removeDpopKey(store.path);
    if (settings.exchange) {
      // A new login makes any token exchanged for the previous one stale.
      await createFileTokenStore({ path: settings.exchange.tokenFile, onWarning: warner(io) }).remove();
    }
    say(io, `Logged in as ${describeIdentity(identityOf(tokens))} at ${client.issuer}.`);
    if (dpop) sayBound(io, dpop, tokens.tokenType, 'The tokens are');
    const encrypted = encryptsRefreshToken(login, io) ? ', refresh token encrypted' : '';
    say(
      io,
      `Tokens saved to ${store.path} (mode 0600${tokens.refreshToken ? encrypted : ', no refresh token'}).`,
    );
  });
}

/** Says which key the tokens are bound to, or warns that the provider issued bearer tokens instead. */
function sayBound(io: CliIO, dpop: DpopKey, tokenType: string, subject: string): void {
  if (tokenType.toLowerCase() === 'dpop') {
    say(io, `${subject} DPoP-bound to the key ${dpop.thumbprint} (kept with the tokens).`);
  } else {
    warner(io)(
      `the provider answered with token_type ${tokenType}, not DPoP: it ignored the DPoP proof, so the tokens are not bound to a key.`,
    );
  }
}
