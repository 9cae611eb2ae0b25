import type { CliIO } from '../io.js';

/** Writes one human-facing line to stderr (stdout is for results only). */
export function say(io: CliIO, message: string): void {
  io.stderr.write(`${message}\n`);
}

/** Warnings from the library and the CLI, prefixed, on stderr. */
export function warner(io: CliIO): (message: string) => void {
  return (message) => say(io, `warning: ${message}`);
}

const warned = new WeakMap<CliIO, Set<string>>();

/**
 * Like {@link warner}, but each message once per command: a token store read twice (for its DPoP key, then
 * for its tokens) says what is wrong with it once.
 */
export function storeWarner(io: CliIO): (message: string) => void {
  return (message) => {
    const seen = warned.get(io) ?? new Set<string>();
    warned.set(io, seen);
    if (seen.has(message)) return;
    seen.add(message);
    warner(io)(message);
  };
}
