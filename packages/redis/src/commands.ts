/**
 * Commands with a deadline, and scripts sent by their SHA-1 (in full only when the server does not know
 * them yet). A command that does not answer in time marks the connection stalled: Redis counts as
 * unreachable until a command succeeds again.
 */
import { StateUnavailableError } from '@gatehouse/core/state';
import type { Connection } from './connection.js';
import type { Script } from './scripts.js';

/** Runs a script (its keys share one slot; routed by the first). */
export type RunScript = (
  script: Script,
  keys: readonly string[],
  args: readonly string[],
) => Promise<unknown>;

/** The commands of one state, over its connection. */
export class Commands {
  private stalledSince: number | undefined;
  /** Set once a script was refused by ACL (`NOPERM`): said once, in one line. */
  private scriptsDenied = false;

  constructor(
    private readonly connection: Connection,
    private readonly timeoutMs: number,
    private readonly onScriptsDenied: (message: string) => void,
  ) {}

  /** Whether a command can be sent and the last one answered in time. */
  isReady(): boolean {
    return this.connection.isReady() && this.stalledSince === undefined;
  }

  /** Forgets a stall (after a reconnection). */
  clearStall(): void {
    this.stalledSince = undefined;
  }

  /** Throws `StateUnavailableError` when a command cannot be sent now. */
  requireReady(): void {
    if (!this.isReady()) throw new StateUnavailableError();
  }

  /** Sends a command to the primary owning `key`, rejecting after the deadline. */
  send(key: string | undefined, args: readonly string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stalledSince = Date.now();
        this.connection.suspect();
        reject(new StateUnavailableError('Redis did not answer in time'));
      }, this.timeoutMs);
      this.connection.send(key, args).then(
        (reply) => {
          clearTimeout(timer);
          this.stalledSince = undefined;
          resolve(reply);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** Runs a script: EVALSHA, then EVAL when the server does not know it. */
  readonly script: RunScript = async (script, keys, args) => {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      try {
        return await this.send(keys[0], ['EVALSHA', script.sha, ...tail]);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return await this.send(keys[0], ['EVAL', script.source, ...tail]);
      }
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOPERM') && !this.scriptsDenied) {
        this.scriptsDenied = true;
        this.onScriptsDenied(err.message);
      }
      throw err;
    }
  };
}
