import { createHash } from 'node:crypto';
import { type ClaimVerdict, LocalClaims, type OneTimeClaim, type OneTimeIds } from '@gatehouse/core/state';
import type { Commands } from './commands.js';
import type { KeyLayout } from './keys.js';

/**
 * One-time ids on Redis (`SET key 1 NX PX ttl`), answered first from this instance's memory: an id this
 * instance has seen is refused without a round trip, and while Redis is unreachable that memory decides
 * alone. Never rejects.
 *
 * @example
 * ```ts
 * await state.oneTimeIds.claim({ scope: 'dpop-jti', id, ttlSecs: 361 }); // 'fresh' once, on every instance
 * ```
 */
export class RedisOneTimeIds implements OneTimeIds {
  private readonly local: LocalClaims;

  constructor(
    private readonly commands: Commands,
    private readonly keys: KeyLayout,
    now: () => number,
  ) {
    this.local = new LocalClaims(now);
  }

  claim(claim: OneTimeClaim): ClaimVerdict | Promise<ClaimVerdict> {
    const local = this.local.claim(claim);
    if (local !== 'fresh' || !this.commands.isReady()) return local;
    const key = this.key(claim.scope, claim.id);
    const ttl = String(Math.ceil(claim.ttlSecs * 1000));
    return this.commands.send(key, ['SET', key, '1', 'NX', 'PX', ttl]).then(
      (reply) => (reply === 'OK' ? 'fresh' : 'replayed'),
      () => 'fresh', // unreachable: this instance's memory has decided
    );
  }

  async release(scope: string, id: string): Promise<void> {
    this.local.release(scope, id);
    if (!this.commands.isReady()) return;
    const key = this.key(scope, id);
    await this.commands.send(key, ['DEL', key]).catch(() => {});
  }

  // Hashed: ids are sender-chosen (any length, any characters); spread over every slot.
  private key(scope: string, id: string): string {
    return this.keys.once(createHash('sha256').update(`${scope}\u0000${id}`).digest('base64url'));
  }
}
