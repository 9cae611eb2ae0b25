import { isClientError } from '@gatehouse/client';

/**
 * Exit codes of the `gatehouse` command. `exec` passes its command's own code through instead.
 *
 * @example
 * ```ts
 * import { EXIT } from '@gatehouse/cli';
 * process.exitCode = EXIT.usage; // 2
 * ```
 */
export const EXIT = {
  ok: 0,
  runtime: 1,
  usage: 2,
  /** The command to `exec` was not found (as in a shell). */
  notFound: 127,
  /** Interrupted with Ctrl-C (128 + SIGINT), as in a shell. */
  interrupted: 130,
} as const;

/**
 * Stable codes of the CLI's own errors (snake_case, like those of `@gatehouse/client` and core).
 *
 * @example
 * ```ts
 * import type { CliErrorCode } from '@gatehouse/cli';
 * const code: CliErrorCode = 'not_logged_in';
 * ```
 */
export type CliErrorCode =
  | 'usage'
  | 'config'
  | 'not_logged_in'
  | 'service_error'
  | 'command_not_found'
  | 'daemon_not_running'
  | 'runtime';

/**
 * Base class of the CLI's errors: each carries the process exit code.
 *
 * @example
 * ```ts
 * import { CliError, RuntimeError } from '@gatehouse/cli';
 * const err: CliError = new RuntimeError('something failed');
 * console.log(err.exitCode); // 1
 * ```
 */
export abstract class CliError extends Error {
  /** Stable, machine-readable code. */
  abstract readonly code: CliErrorCode;
  /** The exit code the process ends with. */
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
    this.name = new.target.name;
  }
}

/**
 * A wrong command line (unknown option, an option that needs another): exit 2.
 *
 * @example
 * ```ts
 * import { UsageError } from '@gatehouse/cli';
 * throw new UsageError('--refresh-before needs --keep-fresh');
 * ```
 */
export class UsageError extends CliError {
  readonly code = 'usage';
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/**
 * Missing or invalid settings (no issuer, bad config file, a variable that must be set): exit 2.
 * `setting` names the setting.
 *
 * @example
 * ```ts
 * import { ConfigError } from '@gatehouse/cli';
 * throw new ConfigError('issuer', 'No issuer configured');
 * ```
 */
export class ConfigError extends CliError {
  readonly code = 'config';
  /** The setting at fault (`issuer`, `profiles.dev.port`, `GATEHOUSE_OIDC_PASSWORD`…). */
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message, EXIT.usage);
    this.setting = setting;
  }
}

/**
 * No stored login where one is needed (`status`, `daemon start`): exit 1, telling the user to log in.
 *
 * @example
 * ```ts
 * import { NotLoggedInError } from '@gatehouse/cli';
 * throw new NotLoggedInError('Not logged in. Run `gatehouse login`.');
 * ```
 */
export class NotLoggedInError extends CliError {
  readonly code = 'not_logged_in';
  constructor(message: string) {
    super(message, EXIT.runtime);
  }
}

/**
 * The service called by `whoami` answered an error or something that is not JSON: exit 1.
 *
 * @example
 * ```ts
 * import { ServiceError } from '@gatehouse/cli';
 * const err = new ServiceError('https://api.example.com/v1/whoami answered 500: error', 500);
 * console.log(err.status);
 * ```
 */
export class ServiceError extends CliError {
  readonly code = 'service_error';
  /** The HTTP status, when the service answered one. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message, EXIT.runtime);
    this.status = status;
  }
}

/**
 * The command given to `exec` cannot be run: exit 127, as in a shell.
 *
 * @example
 * ```ts
 * import { CommandNotFoundError } from '@gatehouse/cli';
 * throw new CommandNotFoundError('deploy.sh', 'command not found');
 * ```
 */
export class CommandNotFoundError extends CliError {
  readonly code = 'command_not_found';
  /** The command that could not be run. */
  readonly command: string;
  constructor(command: string, reason: string) {
    super(`Cannot run "${command}": ${reason}`, EXIT.notFound);
    this.command = command;
  }
}

/**
 * `daemon status` or `daemon stop` found no daemon running for the profile: exit 1.
 *
 * @example
 * ```ts
 * import { DaemonNotRunningError } from '@gatehouse/cli';
 * throw new DaemonNotRunningError('default');
 * ```
 */
export class DaemonNotRunningError extends CliError {
  readonly code = 'daemon_not_running';
  /** The profile. */
  readonly profile: string;
  constructor(profile: string) {
    super(`No gatehouse daemon is running for profile "${profile}".`, EXIT.runtime);
    this.profile = profile;
  }
}

/**
 * Any other failure while running: exit 1.
 *
 * @example
 * ```ts
 * import { RuntimeError } from '@gatehouse/cli';
 * throw new RuntimeError('the daemon did not start');
 * ```
 */
export class RuntimeError extends CliError {
  readonly code = 'runtime';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.runtime, options);
  }
}

/**
 * Every error class of the CLI, as a union: `switch (err.code)` narrows to the class.
 *
 * @example
 * ```ts
 * import type { AnyCliError } from '@gatehouse/cli';
 * function hint(err: AnyCliError): string {
 *   switch (err.code) {
 *     case 'config':
 *       return `check the setting ${err.setting}`;
 *     case 'command_not_found':
 *       return `is ${err.command} on your PATH?`;
 *     default:
 *       return err.message;
 *   }
 * }
 * ```
 */
export type AnyCliError =
  | UsageError
  | ConfigError
  | NotLoggedInError
  | ServiceError
  | CommandNotFoundError
  | DaemonNotRunningError
  | RuntimeError;

const CONFIGURATION_CODES = new Set<string>([
  'invalid_options',
  'insecure_issuer',
  'passphrase_required',
  'wrong_passphrase',
  'api_key_missing',
]);

/**
 * The exit code for any error: 2 for usage and configuration, 130 for Ctrl-C, 1 for the rest.
 *
 * @example
 * ```ts
 * import { exitCodeFor } from '@gatehouse/cli';
 * import { LoginRequiredError } from '@gatehouse/client';
 * exitCodeFor(new LoginRequiredError('no stored login', 'run `gatehouse login`')); // 1
 * ```
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (isClientError(err)) {
    if (err.code === 'login_cancelled') return EXIT.interrupted;
    return CONFIGURATION_CODES.has(err.code) ? EXIT.usage : EXIT.runtime;
  }
  return EXIT.runtime;
}
