import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import type { CommandContext } from './commands/context.js';
import { daemonCommand } from './commands/daemon/index.js';
import { execCommand } from './commands/exec/index.js';
import { loginCommand } from './commands/login/index.js';
import { logoutCommand } from './commands/logout/index.js';
import { statusCommand } from './commands/status/index.js';
import { tokenCommand } from './commands/token/index.js';
import { whoamiCommand } from './commands/whoami/index.js';
import { EXIT, exitCodeFor } from './errors.js';
import { type CliIO, processIO } from './io.js';

const HELP_FOOTER = `
Logging in as a person (browser + PKCE):
  gatehouse login --issuer https://idp.example.com --client-id gatehouse-cli
  gatehouse token                      # later runs reuse the login and refresh it silently
  gatehouse login --no-browser         # over SSH: prints the URL; forward port 48080 (ssh -L 48080:127.0.0.1:48080)
  gatehouse login --grant device_code  # no browser on this machine: enter a code on another device

A service (client credentials, no login):
  export GATEHOUSE_OIDC_GRANT_TYPE=client_credentials GATEHOUSE_OIDC_CLIENT_SECRET=...
  gatehouse token --issuer https://idp.example.com --client-id billing-service

Long jobs, other tools and kubectl:
  gatehouse exec --keep-fresh -- ./job.sh        # $GATEHOUSE_ACCESS_TOKEN_FILE stays fresh while it runs
  gatehouse daemon start                         # keeps the profile's tokens fresh in the background
  gatehouse token --output exec-credential       # a kubeconfig exec plugin (see the README)

Settings: flags, then their variables (shown in each command's --help: GATEHOUSE_OIDC_ISSUER,
GATEHOUSE_OIDC_CLIENT_ID, GATEHOUSE_OIDC_GRANT_TYPE, GATEHOUSE_OIDC_TOKEN_TYPE, GATEHOUSE_TOKEN_STORAGE...),
then the profile in ~/.gatehouse/config.json ($GATEHOUSE_CONFIG_DIR/config.json):
  {"defaultProfile": "dev", "profiles": {"dev": {"issuer": "...", "clientId": "...", "scope": "..."}}}
Secrets only from the environment: GATEHOUSE_OIDC_PASSWORD (password grant), GATEHOUSE_EXCHANGE_CLIENT_SECRET
(a profile's "exchange" step), GATEHOUSE_TOKEN_PASSPHRASE.

The token file (~/.gatehouse/tokens/<profile>.json) holds your access and refresh tokens: it is written
atomically with mode 0600 in a 0700 folder. Anyone who can read it can act as you until the refresh token
expires or \`gatehouse logout\` revokes it. Set GATEHOUSE_TOKEN_PASSPHRASE (or use --encrypt and type a
passphrase) to keep the refresh token encrypted (AES-256-GCM, PBKDF2-SHA256).

Exit codes: 0 success, 1 runtime failure (not logged in, provider or service error), 2 usage or
configuration error, 130 interrupted; \`exec\` exits with its command's code.`;

/**
 * Builds the `gatehouse` command tree (commander), writing to the given streams.
 *
 * @example
 * ```ts
 * import { createProgram, processIO } from '@gatehouse/cli';
 * const program = createProgram({ io: processIO(new AbortController().signal), exitCode: 0 });
 * ```
 */
export function createProgram(ctx: CommandContext): Command {
  const program = new Command('gatehouse')
    .description('Log in once in a browser, then get fresh OAuth/OIDC tokens for scripts and services.')
    .version(version, '-V, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command')
    .enablePositionalOptions()
    .addHelpText('after', HELP_FOOTER);
  for (const make of [
    loginCommand,
    logoutCommand,
    statusCommand,
    tokenCommand,
    execCommand,
    whoamiCommand,
    daemonCommand,
  ]) {
    program.addCommand(make(ctx));
  }
  const output = {
    writeOut: (text: string) => ctx.io.stdout.write(text),
    writeErr: (text: string) => ctx.io.stderr.write(text),
  };
  // addCommand does not pass settings down, so every command (and daemon's subcommands) gets them here.
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command
      .helpOption('-h, --help', 'show help')
      .showHelpAfterError('(run with --help for usage)')
      .exitOverride()
      .configureOutput(output);
  }
  return program;
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and resolves to the exit code; never calls
 * `process.exit`.
 *
 * @example
 * ```ts
 * import { run } from '@gatehouse/cli';
 * process.exitCode = await run(['status', '--profile', 'dev']);
 * ```
 */
export async function run(argv: readonly string[], io?: CliIO): Promise<number> {
  const ctx: CommandContext = { io: io ?? processIO(new AbortController().signal), exitCode: EXIT.ok };
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its own message (or the help / version) already.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    ctx.io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeFor(err);
  }
}
