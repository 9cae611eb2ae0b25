import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { createDpopProof } from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { CliError, EXIT, UsageError } from '../../errors.js';
import { openDpopKey, openSource, warner } from '../../session.js';
import type { CommandContext } from '../context.js';
import {
  type CommandFlags,
  type ProofFlags,
  withConnectionOptions,
  withLoginOptions,
  withProofOptions,
} from '../shared-options.js';
import { proofUrl } from '../token/index.js';

/** The variable that receives the token unless `--env-var` says otherwise. */
export const DEFAULT_TOKEN_VARIABLE = 'GATEHOUSE_ACCESS_TOKEN';
/** The variable that receives the DPoP proof of `--dpop --proof-url`. */
export const PROOF_VARIABLE = 'GATEHOUSE_DPOP_PROOF';

/** `gatehouse exec -- <command>`: run a command with a fresh token in its environment. */
export function execCommand(ctx: CommandContext): Command {
  const command = new Command('exec')
    .summary('run a command with a fresh access token in its environment')
    .description(
      [
        `Get a valid access token (as \`gatehouse token\` does) and run <command> with it in ${DEFAULT_TOKEN_VARIABLE} (or the variable named by --env-var). The exit code is the command's own; 127 when it cannot be found.`,
        `Example: gatehouse exec -- sh -c 'curl -H "Authorization: Bearer $${DEFAULT_TOKEN_VARIABLE}" "$API/v1/whoami"'`,
        `With --dpop the token is DPoP-bound; --proof-url puts a proof for one request to that URL in ${PROOF_VARIABLE} (the key itself never leaves the CLI).`,
      ].join('\n\n'),
    )
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .option('--env-var <name>', 'environment variable that receives the token', DEFAULT_TOKEN_VARIABLE)
    .passThroughOptions();
  withProofOptions(withLoginOptions(withConnectionOptions(command)));
  return command.action(async (argv: string[], flags: CommandFlags & ProofFlags & { envVar: string }) => {
    const { io } = ctx;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.envVar)) {
      throw new UsageError(`--env-var "${flags.envVar}" is not a valid variable name`);
    }
    if (flags.proofUrl !== undefined && !flags.dpop) throw new UsageError('--proof-url needs --dpop');
    const settings = await resolveSettings(flags, io.env, warner(io));
    const dpop = await openDpopKey(settings, io, flags.dpop);
    const source = openSource(settings, io, { browser: flags.browser !== false }, dpop);
    const token = await source.getToken();
    const env: NodeJS.ProcessEnv = { ...io.env, [flags.envVar]: token };
    if (dpop && flags.proofUrl !== undefined) {
      const url = proofUrl(flags.proofUrl);
      env[PROOF_VARIABLE] = await createDpopProof(dpop, {
        method: flags.proofMethod,
        url,
        accessToken: token,
      });
    }
    ctx.exitCode = await runChild(argv, env);
  });
}

function runChild(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { stdio: 'inherit', env });
    // Ctrl-C reaches the child from the terminal; the CLI waits for it instead of dying first.
    const ignore = () => {};
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onTerm = forward('SIGTERM');
    const onHup = forward('SIGHUP');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    const cleanup = () => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        reject(
          new CliError(
            'COMMAND_NOT_FOUND',
            `Cannot run "${file}": ${err.code === 'ENOENT' ? 'command not found' : 'permission denied'}`,
            EXIT.notFound,
          ),
        );
      } else reject(err);
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
