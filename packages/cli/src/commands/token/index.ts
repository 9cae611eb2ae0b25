import { createDpopProof } from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { UsageError } from '../../errors.js';
import { openDpopKey, openSource, warner } from '../../session.js';
import type { CommandContext } from '../context.js';
import {
  type CommandFlags,
  type ProofFlags,
  withConnectionOptions,
  withLoginOptions,
  withProofOptions,
} from '../shared-options.js';

/** `gatehouse token`: print a valid access token (only the token) on stdout. */
export function tokenCommand(ctx: CommandContext): Command {
  const command = new Command('token')
    .summary('print a valid access token for scripts')
    .description(
      'Print a valid access token on stdout, and nothing else, refreshing it first when it is about to ' +
        'expire. With --grant client_credentials the token is fetched for the client and cached in the token ' +
        'file, no login needed. Without a stored login: a terminal session logs in first; a script gets an ' +
        'error telling it to run `gatehouse login` (exit 1).\n\n' +
        'Example: curl -H "Authorization: Bearer $(gatehouse token)" https://api.example.com/v1/whoami\n\n' +
        'With --dpop the token is DPoP-bound, and --proof-url adds a second line: a proof for one request.\n' +
        'Example: { read -r T; read -r P; } < <(gatehouse token --dpop --proof-url "$API/v1/whoami"); ' +
        'curl -H "Authorization: DPoP $T" -H "DPoP: $P" "$API/v1/whoami"',
    );
  withProofOptions(withLoginOptions(withConnectionOptions(command)));
  return command.action(async (flags: CommandFlags & ProofFlags) => {
    const { io } = ctx;
    if (flags.proofUrl !== undefined && !flags.dpop) throw new UsageError('--proof-url needs --dpop');
    const settings = await resolveSettings(flags, io.env, warner(io));
    const dpop = await openDpopKey(settings, io, flags.dpop);
    const source = openSource(settings, io, { browser: flags.browser !== false }, dpop);
    const token = await source.getToken();
    io.stdout.write(`${token}\n`);
    if (dpop && flags.proofUrl !== undefined) {
      const url = proofUrl(flags.proofUrl);
      io.stdout.write(
        `${await createDpopProof(dpop, { method: flags.proofMethod, url, accessToken: token })}\n`,
      );
    }
  });
}

/** The URL a proof is made for: absolute http(s). */
export function proofUrl(value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
    throw new UsageError(`--proof-url must be an absolute http(s) URL, got "${value}"`);
  }
  return url;
}
