import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { CliError, EXIT, UsageError } from '../../errors.js';
import { openSource, warner } from '../../session.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions, withLoginOptions } from '../shared-options.js';

/** The variable that receives the token unless `--env-var` says otherwise. */
export const DEFAULT_TOKEN_VARIABLE = 'GATEHOUSE_ACCESS_TOKEN';

/** `gatehouse exec -- <command>`: run a command with a fresh token in its environment. */
export function execCommand(ctx: CommandContext): Command {
  const command = new Command('exec')
    .summary('run a command with a fresh access token in its environment')
    .description(
      [
        `Get a valid access token (as \`gatehouse token\` does) and run <command> with it in ${DEFAULT_TOKEN_VARIABLE} (or the variable named by --env-var). The exit code is the command's own; 127 when it cannot be found.`,
        `Example: gatehouse exec -- sh -c 'curl -H "Authorization: Bearer $${DEFAULT_TOKEN_VARIABLE}" "$API/v1/whoami"'`,
      ].join('\n\n'),
    )
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .option('--env-var <name>', 'environment variable that receives the token', DEFAULT_TOKEN_VARIABLE)
    .passThroughOptions();
  withLoginOptions(withConnectionOptions(command));
  return command.action(async (argv: string[], flags: CommandFlags & { envVar: string }) => {
    const { io } = ctx;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.envVar)) {
      throw new UsageError(`--env-var "${flags.envVar}" is not a valid variable name`);
    }
    const settings = await resolveSettings(flags, io.env, warner(io));
    const source = openSource(settings, io, { browser: flags.browser !== false });
    const token = await source.getToken();
    ctx.exitCode = await runChild(argv, { ...io.env, [flags.envVar]: token });
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
