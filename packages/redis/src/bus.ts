import { type ChangeBus, LocalBus } from '@gatehouse/core/state';
import type { Commands } from './commands.js';
import type { Connection } from './connection.js';
import type { KeyLayout } from './keys.js';

/**
 * The change bus on Redis pub/sub: one channel per topic, subscribed when the first listener of the
 * topic arrives (sharded `SSUBSCRIBE` on a cluster, which has no pattern subscriptions). While Redis is
 * unreachable a message reaches this instance only.
 *
 * @example
 * ```ts
 * state.bus.subscribe('failed-auth', onBlock);
 * await state.bus.publish('failed-auth', message); // every instance
 * ```
 */
export class RedisBus implements ChangeBus {
  private readonly local = new LocalBus();
  private readonly channels = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly commands: Commands,
    private readonly keys: KeyLayout,
  ) {}

  async publish(topic: string, message: string): Promise<void> {
    if (this.commands.isReady()) {
      const channel = this.keys.topic(topic);
      try {
        await this.commands.send(channel, [this.connection.publishCommand, channel, message]);
        return;
      } catch {
        // delivered locally below
      }
    }
    this.local.deliver(topic, message);
  }

  subscribe(topic: string, listener: (message: string) => void): () => void {
    const channel = this.keys.topic(topic);
    if (!this.channels.has(channel)) {
      this.channels.add(channel);
      // Kept across reconnections by the client; until subscribed, messages from others are missed
      // (the failed-auth block is also counted here, so that is a delay, not a hole).
      this.connection.subscribe(channel, (message) => this.local.deliver(topic, message)).catch(() => {});
    }
    return this.local.subscribe(topic, listener);
  }
}
