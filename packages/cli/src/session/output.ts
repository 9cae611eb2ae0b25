import type { CliIO } from '../io.js';

/** Writes one human-facing line to stderr (stdout is for results only). */
export function say(io: CliIO, message: string): void {
  io.stderr.write(`${message}\n`);
}

/** Warnings from the library and the CLI, prefixed, on stderr. */
export function warner(io: CliIO): (message: string) => void {
  return (message) => say(io, `warning: ${message}`);
}
