import {
  createFileTokenStore,
  createOidcClient,
  isClientError,
  removeDpopKey,
  revokeToken,
  type StoredTokens,
  type TokenFileSummary,
} from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { say, warner } from '../../session/output.js';
import { keychainFor, openStoreForReading } from '../../session/store.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions } from '../shared-options.js';

/** `gatehouse logout`: revoke the refresh token (RFC 7009, when offered) and delete the stored tokens. */
export function logoutCommand(ctx: CommandContext): Command {
  const command = new Command('logout')
    .summary('revoke the refresh token and delete the stored tokens')
    .description(
      "Delete the profile's tokens (file and keychain entries). When the provider offers token revocation " +
        '(RFC 7009), the refresh token is revoked first, so a copy of the file is useless too. The tokens are ' +
        'deleted even when the provider cannot be reached (with a warning). For a profile with an exchange ' +
        'step, the source login is logged out and the exchanged token deleted.\n\nExample: gatehouse logout --profile dev',
    );
  withConnectionOptions(command);
  return command.action(async (flags: CommandFlags) => {
    const { io } = ctx;
    const warn = warner(io);
    const settings = await resolveSettings(flags, io.env, warn);
    const login = settings.exchange?.source ?? settings;
    await keychainFor(settings, io);
    if (settings.exchange) {
      await createFileTokenStore({ path: settings.exchange.tokenFile, onWarning: warn }).remove();
    }
    const store = openStoreForReading(login.tokenFile, io);
    let summary: TokenFileSummary | undefined;
    try {
      summary = await store.inspect();
    } catch (err) {
      if (!isClientError(err) || err.code !== 'keychain_unavailable') throw err;
      warn(err.message);
    }
    // The DPoP key is in the token file (and its keychain entries); an earlier version kept it beside.
    await removeDpopKey(store.path);
    if (!summary) {
      const existed = await store.remove(); // a corrupt file is removed as well
      say(
        io,
        existed
          ? `Deleted the unreadable token file ${store.path}.`
          : `Not logged in (no tokens at ${store.path}).`,
      );
      return;
    }
    let outcome = 'there was no refresh token to revoke';
    if (summary.refreshToken !== 'absent') {
      outcome = await revoke(summary.issuer, summary.clientId, login, store.read.bind(store), warn);
    }
    await store.remove();
    say(io, `Logged out of ${summary.issuer}: ${outcome}; deleted ${store.path}.`);
  });
}

async function revoke(
  issuer: string,
  clientId: string,
  settings: { clientId?: string; clientSecret?: string },
  read: () => Promise<StoredTokens | undefined>,
  warn: (m: string) => void,
): Promise<string> {
  try {
    const tokens = await read();
    if (!tokens?.refreshToken) return 'there was no refresh token to revoke';
    const client = createOidcClient({
      issuer,
      clientId,
      ...(settings.clientSecret && settings.clientId === clientId
        ? { clientSecret: settings.clientSecret }
        : {}),
    });
    return (await revokeToken(client, tokens.refreshToken, 'refresh_token'))
      ? 'the refresh token was revoked'
      : 'the provider offers no revocation';
  } catch (err) {
    const reason = isClientError(err) ? err.message : String(err);
    warn(`the refresh token could not be revoked (${reason})`);
    return 'the refresh token was NOT revoked';
  }
}
