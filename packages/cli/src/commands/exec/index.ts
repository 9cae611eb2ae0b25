import { createDpopProof } from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { UsageError } from '../../errors.js';
import {
  DEFAULT_REFRESH_BEFORE_SECS,
  type FreshTokenFile,
  startFreshTokenFile,
} from '../../exec/keep-fresh.js';
import { runChild } from '../../exec/run-child.js';
import { warner } from '../../session/output.js';
import { openSession } from '../../session/source.js';
import type { CommandContext } from '../context.js';
import {
  type CommandFlags,
  type ProofFlags,
  secondsOption,
  withConnectionOptions,
  withLoginOptions,
  withProofOptions,
} from '../shared-options.js';

/** The variable that receives the token unless `--env-var` says otherwise. */
export const DEFAULT_TOKEN_VARIABLE = 'GATEHOUSE_ACCESS_TOKEN';
/** The variable that names the `--keep-fresh` token file. */
export const TOKEN_FILE_VARIABLE = 'GATEHOUSE_ACCESS_TOKEN_FILE';
/** The variable that receives the DPoP proof of `--dpop --proof-url`. */
export const PROOF_VARIABLE = 'GATEHOUSE_DPOP_PROOF';

type ExecFlags = CommandFlags & ProofFlags & { envVar: string; keepFresh?: boolean; refreshBefore?: number };

/** `gatehouse exec -- <command>`: run a command with a fresh token in its environment (and, for long jobs, a file). */
export function execCommand(ctx: CommandContext): Command {
  const command = new Command('exec')
    .summary('run a command with a fresh token in its environment')
    .description(
      [
        `Get a valid token (as \`gatehouse token\` does) and run <command> with it in ${DEFAULT_TOKEN_VARIABLE} (or the variable named by --env-var). The exit code is the command's own; 127 when it cannot be found.`,
        `For long jobs, --keep-fresh also gives the command ${TOKEN_FILE_VARIABLE}: a file (mode 0600, in a private folder) holding only the token and a newline, rewritten atomically --refresh-before seconds before each expiry (default ${DEFAULT_REFRESH_BEFORE_SECS}, at most half the token's lifetime), and deleted when the command exits or gatehouse is interrupted. Read the file before each request; the variable keeps the first token.`,
        `With --dpop the token is DPoP-bound (RFC 9449); --proof-url puts a proof for one request to that URL in ${PROOF_VARIABLE} (the key itself never leaves gatehouse, so a command cannot make more proofs).`,
        'With --resource <url> the token is for that protected resource (RFC 9728/8707, see `gatehouse login --help`).',
        `Examples:\n  gatehouse exec -- sh -c 'curl -H "Authorization: Bearer $${DEFAULT_TOKEN_VARIABLE}" "$API/v1/whoami"'\n  gatehouse exec --resource https://mcp.example.com/mcp -- ./mcp-client.sh\n  gatehouse exec --keep-fresh -- ./long-job.sh   # reads $${TOKEN_FILE_VARIABLE} before each call`,
      ].join('\n\n'),
    )
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .option('--env-var <name>', 'environment variable that receives the token', DEFAULT_TOKEN_VARIABLE)
    .option('--keep-fresh', `keep a token file (${TOKEN_FILE_VARIABLE}) renewed while the command runs`)
    .addOption(
      secondsOption(
        '--refresh-before <secs>',
        `with --keep-fresh: renew this many seconds before expiry (default ${DEFAULT_REFRESH_BEFORE_SECS})`,
      ),
    )
    .passThroughOptions();
  withProofOptions(withLoginOptions(withConnectionOptions(command)));
  return command.action(async (argv: string[], flags: ExecFlags) => {
    const { io } = ctx;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.envVar)) {
      throw new UsageError(`--env-var "${flags.envVar}" is not a valid variable name`);
    }
    if (flags.refreshBefore !== undefined && !flags.keepFresh) {
      throw new UsageError('--refresh-before applies to --keep-fresh: add --keep-fresh, or leave it out');
    }
    if (flags.proofUrl !== undefined && flags.keepFresh) {
      throw new UsageError(
        '--proof-url makes one proof for the first token; it cannot go with --keep-fresh, which renews the token',
      );
    }
    const settings = await resolveSettings(flags, io.env, warner(io));
    if (flags.proofUrl !== undefined && !settings.dpop) throw new UsageError('--proof-url needs --dpop');
    const session = await openSession(settings, io, {
      browser: flags.browser !== false,
      interactiveLogin: true,
    });
    const initial = await session.current();
    const env: NodeJS.ProcessEnv = { ...io.env, [flags.envVar]: initial.token };
    if (flags.proofUrl !== undefined && session.dpop) {
      env[PROOF_VARIABLE] = await createDpopProof(session.dpop, {
        method: flags.proofMethod,
        url: flags.proofUrl,
        accessToken: initial.token,
      });
    }
    let file: FreshTokenFile | undefined;
    if (flags.keepFresh) {
      file = await startFreshTokenFile({
        session,
        initial,
        refreshBeforeSecs: flags.refreshBefore ?? DEFAULT_REFRESH_BEFORE_SECS,
        warn: warner(io),
      });
      env[TOKEN_FILE_VARIABLE] = file.path;
      if (flags.envVar !== DEFAULT_TOKEN_VARIABLE) env[`${flags.envVar}_FILE`] = file.path;
    }
    try {
      ctx.exitCode = await runChild(argv, env, { onInterrupt: () => file?.close() });
    } finally {
      file?.close();
    }
  });
}
