import { GatehouseClientError } from '@gatehouse/client';

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
 * Stable codes of the CLI's own errors.
 *
 * @example
 * ```ts
 * import { CliError, type CliErrorCode } from '@gatehouse/cli';
 * const code: CliErrorCode = 'NOT_LOGGED_IN';
 * const err = new CliError(code, 'Run `gatehouse login`.', 1);
 * ```
 */
export type CliErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'NOT_LOGGED_IN'
  | 'SERVICE_ERROR'
  | 'COMMAND_NOT_FOUND'
  | 'RUNTIME';

/**
 * Base class of the CLI's errors: each carries the process exit code.
 *
 * @example
 * ```ts
 * import { CliError } from '@gatehouse/cli';
 * throw new CliError('RUNTIME', 'something failed', 1);
 * ```
 */
export class CliError extends Error {
  /** Stable, machine-readable code. */
  readonly code: CliErrorCode;
  /** The exit code the process ends with. */
  readonly exitCode: number;
  constructor(code: CliErrorCode, message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.exitCode = exitCode;
    this.name = new.target.name;
  }
}

/**
 * A wrong command line (unknown option, missing argument): exit 2.
 *
 * @example
 * ```ts
 * import { UsageError } from '@gatehouse/cli';
 * throw new UsageError('--port must be a number');
 * ```
 */
export class UsageError extends CliError {
  constructor(message: string) {
    super('USAGE', message, EXIT.usage);
  }
}

/**
 * Missing or invalid settings (no issuer, bad config file): exit 2. `setting` names the setting.
 *
 * @example
 * ```ts
 * import { ConfigError } from '@gatehouse/cli';
 * throw new ConfigError('issuer', 'No issuer configured');
 * ```
 */
export class ConfigError extends CliError {
  /** The setting at fault (`issuer`, `profiles.dev.port`…). */
  readonly setting: string;
  constructor(setting: string, message: string) {
    super('CONFIG', message, EXIT.usage);
    this.setting = setting;
  }
}

/**
 * A failure while running (provider unreachable, service error): exit 1.
 *
 * @example
 * ```ts
 * import { RuntimeError } from '@gatehouse/cli';
 * throw new RuntimeError('SERVICE_ERROR', 'the service answered 500');
 * ```
 */
export class RuntimeError extends CliError {
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, EXIT.runtime, options);
  }
}

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
  if (err instanceof GatehouseClientError) {
    if (err.code === 'login_cancelled') return EXIT.interrupted;
    return CONFIGURATION_CODES.has(err.code) ? EXIT.usage : EXIT.runtime;
  }
  return EXIT.runtime;
}
