/** The change-bus part of a shared state, and the in-process bus every store delivers through. */

/**
 * Short broadcast messages between the instances (a failed-authentication block, say). Rules (checked
 * by the conformance suite):
 * - a message published on a topic reaches every subscriber of that topic on every instance sharing the
 *   store, this one included, and no other topic;
 * - `publish` never rejects: while the backend is unreachable the message reaches this instance only;
 * - a subscriber that throws does not stop the others; `subscribe` returns the unsubscribe function.
 *
 * @example
 * ```ts
 * const stop = state.bus.subscribe('failed-auth', (message) => block(JSON.parse(message)));
 * await state.bus.publish('failed-auth', JSON.stringify({ a: '192.0.2.1', u: until }));
 * ```
 */
export interface ChangeBus {
  /** Sends `message` to the subscribers of `topic` on every instance; resolves once handed over. */
  publish(topic: string, message: string): Promise<void>;
  /** Receives the messages of `topic`; returns the function that unsubscribes. */
  subscribe(topic: string, listener: (message: string) => void): () => void;
}

/**
 * The subscribers of one process, by topic: the in-process bus, and where a shared store delivers what
 * it receives.
 *
 * @example
 * ```ts
 * const bus = new LocalBus();
 * bus.subscribe('t', console.log);
 * bus.deliver('t', 'hello'); // logs "hello"
 * ```
 */
export class LocalBus implements ChangeBus {
  private readonly topics = new Map<string, Set<(message: string) => void>>();

  /** Hands `message` to this process's subscribers of `topic`. */
  deliver(topic: string, message: string): void {
    for (const listener of this.topics.get(topic) ?? []) {
      try {
        listener(message);
      } catch {
        // a subscriber's failure is its own
      }
    }
  }

  publish(topic: string, message: string): Promise<void> {
    this.deliver(topic, message);
    return Promise.resolve();
  }

  subscribe(topic: string, listener: (message: string) => void): () => void {
    let listeners = this.topics.get(topic);
    if (listeners === undefined) {
      listeners = new Set();
      this.topics.set(topic, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }
}
