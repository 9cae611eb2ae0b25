import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { openSource, warner } from '../../session.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions, withLoginOptions } from '../shared-options.js';

/** `gatehouse token`: print a valid access token (only the token) on stdout. */
export function tokenCommand(ctx: CommandContext): Command {
  const command = new Command('token')
    .summary('print a valid access token for scripts')
    .description(
      'Print a valid access token on stdout, and nothing else, refreshing it first when it is about to ' +
        'expire. With --grant client_credentials the token is fetched for the client and cached in the token ' +
        'file, no login needed. Without a stored login: a terminal session logs in first; a script gets an ' +
        'error telling it to run `gatehouse login` (exit 1).\n\n' +
        'Example: curl -H "Authorization: Bearer $(gatehouse token)" https://api.example.com/v1/whoami',
    );
  withLoginOptions(withConnectionOptions(command));
  return command.action(async (flags: CommandFlags) => {
    const { io } = ctx;
    const settings = await resolveSettings(flags, io.env, warner(io));
    const source = openSource(settings, io, { browser: flags.browser !== false });
    io.stdout.write(`${await source.getToken()}\n`);
  });
}
