import {
  type Revocation,
  type RevocationList,
  type RevocationStore,
  StateUnavailableError,
} from '@gatehouse/core/state';
import type { Commands } from './commands.js';
import type { RevocationSync } from './revocation-sync.js';

/**
 * Revocations on Redis: stored and broadcast by one script, mirrored in memory by the
 * {@link RevocationSync} (pub/sub, the periodic version check, resyncs). Rejects with
 * `StateUnavailableError` whenever Redis cannot take the change: never an acknowledgement for a
 * revocation that is not stored.
 *
 * @example
 * ```ts
 * await state.revocations.store(revocation); // in force here now, on every instance within 1 s
 * ```
 */
export class RedisRevocations implements RevocationStore {
  constructor(
    /** The revocations in force here: the mirror that `sync` keeps equal to Redis's. */
    readonly inForce: RevocationList,
    private readonly sync: RevocationSync,
    private readonly commands: Commands,
    /** Waits until the change is on a replica too (no-op on one server); rejects when it is not. */
    private readonly durable: () => Promise<void>,
  ) {}

  async store(revocation: Revocation): Promise<void> {
    this.commands.requireReady();
    try {
      await this.sync.add(revocation);
      await this.durable();
    } catch (err) {
      throw unavailable(err);
    }
  }

  async lift(id: string): Promise<boolean> {
    this.commands.requireReady();
    try {
      const lifted = await this.sync.remove(id);
      if (lifted) await this.durable();
      return lifted;
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function unavailable(err: unknown): StateUnavailableError {
  return err instanceof StateUnavailableError ? err : new StateUnavailableError(undefined, { cause: err });
}
