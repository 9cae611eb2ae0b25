import type { CliIO } from '../io.js';

/**
 * What every command gets: the outside world and a place to put a non-zero exit code.
 *
 * @example
 * ```ts
 * import { type CommandContext, createProgram, processIO } from '@gatehouse/cli';
 * const ctx: CommandContext = { io: processIO(new AbortController().signal), exitCode: 0 };
 * await createProgram(ctx).parseAsync(['status'], { from: 'user' });
 * ```
 */
export interface CommandContext {
  io: CliIO;
  /** Set by a command that ends with a code other than 0 without an error (`exec`, `status`). */
  exitCode: number;
}
