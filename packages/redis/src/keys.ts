/**
 * The key and channel names of the Redis state. On a cluster every script's keys share one slot: the
 * revocation set, its version, its epoch, its tombstones, its channel and the instance heartbeats carry
 * the hash tag `{rev}`; a counter's tag is its owner (the part of the counter's name before its window),
 * so one identity's counters stay together while identities spread over the slots.
 */

/** The names under one prefix (default `gatehouse:`; ACL: `~gatehouse:*` and `&gatehouse:*`). */
export interface KeyLayout {
  readonly epoch: string;
  readonly version: string;
  readonly rev: string;
  readonly revExpiries: string;
  readonly tombstonePrefix: string;
  readonly instances: string;
  /** The revocation channel (sharded on a cluster, in the `{rev}` slot). */
  readonly channel: string;
  /** A counter's key: `<prefix>c:{<owner>}:<window>`. */
  counter(key: string): string;
  /** A one-time id's key (hashed by the caller). */
  once(hash: string): string;
  /** A bus topic's channel. */
  topic(topic: string): string;
}

/**
 * The layout under `prefix`.
 *
 * @example
 * ```ts
 * keyLayout('gatehouse:').counter('rl:Zm9v:29'); // 'gatehouse:c:{rl:Zm9v}:29'
 * ```
 */
export function keyLayout(prefix: string): KeyLayout {
  const rev = `${prefix}{rev}:`;
  return {
    epoch: `${rev}epoch`,
    version: `${rev}version`,
    rev: `${rev}all`,
    revExpiries: `${rev}expiries`,
    tombstonePrefix: `${rev}lifted:`,
    instances: `${rev}instances`,
    channel: `${rev}changes`,
    counter(key) {
      const cut = key.lastIndexOf(':');
      return cut > 0 ? `${prefix}c:{${key.slice(0, cut)}}${key.slice(cut)}` : `${prefix}c:{${key}}`;
    },
    once: (hash) => `${prefix}once:${hash}`,
    topic: (topic) => `${prefix}topic:${topic}`,
  };
}
