import {
  createFileTokenStore,
  createOidcClient,
  GatehouseClientError,
  removeDpopKey,
  revokeToken,
  type StoredTokens,
} from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { passphraseSource, say, warner } from '../../session.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions } from '../shared-options.js';

/** `gatehouse logout`: revoke the refresh token (RFC 7009, when offered) and delete the token file. */
export function logoutCommand(ctx: CommandContext): Command {
  const command = new Command('logout')
    .summary('revoke the refresh token and delete the stored tokens')
    .description(
      "Delete the profile's token file. When the provider offers token revocation (RFC 7009), the refresh " +
        'token is revoked first, so a copy of the file is useless too. The file is deleted even when the ' +
        'provider cannot be reached (with a warning).',
    );
  withConnectionOptions(command);
  return command.action(async (flags: CommandFlags) => {
    const { io } = ctx;
    const warn = warner(io);
    const settings = await resolveSettings(flags, io.env, warn);
    const passphrase = passphraseSource(io);
    const store = createFileTokenStore({
      path: settings.tokenFile,
      ...(passphrase ? { passphrase } : {}),
      onWarning: warn,
    });
    const summary = await store.inspect();
    // The DPoP key goes with the tokens bound to it.
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
      outcome = await revoke(summary.issuer, summary.clientId, settings, store.read.bind(store), warn);
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
    const reason = err instanceof GatehouseClientError ? err.message : String(err);
    warn(`the refresh token could not be revoked (${reason})`);
    return 'the refresh token was NOT revoked';
  }
}
