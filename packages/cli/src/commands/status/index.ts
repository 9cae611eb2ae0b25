import { createFileTokenStore } from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { RuntimeError } from '../../errors.js';
import { say, warner } from '../../session.js';
import { describeExpiry, describeIdentity, identityOf } from '../../ui/describe.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions } from '../shared-options.js';

/** `gatehouse status`: who is logged in, where, until when; never a token. */
export function statusCommand(ctx: CommandContext): Command {
  const command = new Command('status')
    .summary('show the login of a profile (never a token)')
    .description(
      'Show who is logged in, the issuer, the access token expiry and whether a refresh token is stored. ' +
        'Tokens are never printed. Exit code 0 when logged in, 1 when not.',
    )
    .option('--json', 'print the status as JSON on stdout');
  withConnectionOptions(command);
  return command.action(async (flags: CommandFlags & { json?: boolean }) => {
    const { io } = ctx;
    const warn = warner(io);
    const settings = await resolveSettings(flags, io.env, warn);
    const summary = await createFileTokenStore({ path: settings.tokenFile, onWarning: warn }).inspect();
    const now = Math.floor(Date.now() / 1000);
    if (!summary) {
      if (flags.json)
        io.stdout.write(
          `${JSON.stringify({ loggedIn: false, profile: settings.profile, tokenFile: settings.tokenFile })}\n`,
        );
      throw new RuntimeError(
        'NOT_LOGGED_IN',
        `Not logged in (profile "${settings.profile}", no tokens at ${settings.tokenFile}). Run \`gatehouse login\`.`,
      );
    }
    const identity = identityOf(summary);
    const accessValid = summary.expiresAt === undefined || summary.expiresAt > now;
    // A service's client credentials token is simply fetched again; a person needs a refresh token.
    const renewable = summary.refreshToken !== 'absent' || summary.grantType === 'client_credentials';
    const loggedIn = accessValid || renewable;
    if (flags.json) {
      io.stdout.write(
        `${JSON.stringify(
          {
            loggedIn,
            profile: settings.profile,
            issuer: summary.issuer,
            clientId: summary.clientId,
            grant: summary.grantType ?? null,
            ...identity,
            scope: summary.scope ?? null,
            audience: summary.audience ?? null,
            expiresAt: summary.expiresAt ?? null,
            accessTokenValid: accessValid,
            refreshToken: summary.refreshToken,
            tokenFile: summary.path,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const refresh = { absent: 'none', present: 'present', encrypted: 'present (encrypted)' }[
        summary.refreshToken
      ];
      const access = accessValid
        ? `valid, expires ${describeExpiry(summary.expiresAt, now)}`
        : `expired ${describeExpiry(summary.expiresAt, now)}${renewable ? '; renewed on next use' : ''}`;
      say(io, `Profile:        ${settings.profile}`);
      say(io, `Logged in as:   ${describeIdentity(identity)}`);
      say(io, `Issuer:         ${summary.issuer}`);
      say(io, `Client:         ${summary.clientId}${summary.grantType ? ` (${summary.grantType})` : ''}`);
      if (summary.scope) say(io, `Scope:          ${summary.scope}`);
      if (summary.audience) say(io, `Audience:       ${summary.audience}`);
      say(io, `Access token:   ${access}`);
      say(io, `Refresh token:  ${refresh}`);
      say(io, `Token file:     ${summary.path}`);
      if (settings.issuer && settings.issuer !== summary.issuer) {
        warn(
          `the token file belongs to ${summary.issuer}, but the profile is configured for ${settings.issuer}`,
        );
      }
    }
    if (!loggedIn) {
      throw new RuntimeError(
        'NOT_LOGGED_IN',
        'The login has expired and there is no refresh token. Run `gatehouse login`.',
      );
    }
  });
}
