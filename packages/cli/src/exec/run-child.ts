import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CommandNotFoundError } from '../errors.js';

/** What happens around the child: called once when gatehouse is interrupted or the child ends. */
export interface ChildHooks {
  /** Gatehouse received SIGINT, SIGTERM or SIGHUP (the child is told too). */
  onInterrupt?(signal: NodeJS.Signals): void;
}

/**
 * Runs `argv` with `env`, stdio inherited, and resolves to its exit code (128 + n when killed by signal n).
 * SIGTERM and SIGHUP are passed on to the child. SIGINT is passed on only when gatehouse is not in a
 * terminal: there Ctrl-C already reaches the whole foreground process group, and a second SIGINT would
 * make a REPL quit; elsewhere a SIGINT was sent to gatehouse alone. Either way gatehouse waits for the child.
 */
export function runChild(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  hooks: ChildHooks = {},
): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => {
      hooks.onInterrupt?.(signal);
      if (signal !== 'SIGINT' || !process.stdin.isTTY) child.kill(signal);
    };
    const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map(
      (signal) => [signal, forward(signal)] as const,
    );
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const cleanup = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        reject(
          new CommandNotFoundError(file!, err.code === 'ENOENT' ? 'command not found' : 'permission denied'),
        );
      } else reject(err);
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
