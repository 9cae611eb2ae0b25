/**
 * One instance of the propagation bench: a Gatehouse shared state on Redis, as every app instance holds
 * it, reporting to its parent (IPC) the moment each revocation comes into force here and is lifted here.
 * Instance 0 also makes and lifts revocations when told to, and says when one is refused (during a
 * failover). `node propagation-instance.js <redis url>` (any topology).
 */
import { Revocations } from '@gatehouse/core';
import { createRedisState } from '@gatehouse/redis';

/** Wall-clock milliseconds, sub-millisecond resolution: comparable between processes on one machine. */
const wall = () => performance.timeOrigin + performance.now();

export type ToInstance = { type: 'revoke'; n: number } | { type: 'lift'; id: string } | { type: 'stop' };
export type FromInstance =
  | { type: 'ready' }
  | { type: 'seen'; id: string; at: number }
  | { type: 'gone'; id: string; at: number }
  | { type: 'made'; id: string; started: number; stored: number }
  | { type: 'lifted'; id: string; started: number; stored: number }
  /** The change was refused (503: not stored, or not confirmed by a replica in time). */
  | { type: 'refused'; started: number; at: number };

const ISSUER = 'https://login.bench.example';

async function main(): Promise<void> {
  const url = process.argv[2];
  if (url === undefined || process.send === undefined)
    throw new Error('usage: (IPC) propagation-instance.js <url>');
  const send = (message: FromInstance) => process.send!(message);
  const state = createRedisState({ url });
  const revocations = new Revocations(state.revocations);
  const known = new Set<string>();
  state.revocations.inForce.onChange(() => {
    const at = wall();
    const now = new Set(state.revocations.inForce.list().map((r) => r.id));
    for (const id of now) {
      if (!known.has(id)) {
        known.add(id);
        send({ type: 'seen', id, at });
      }
    }
    for (const id of known) {
      if (!now.has(id)) {
        known.delete(id);
        send({ type: 'gone', id, at });
      }
    }
  });
  if (!(await state.ready(10_000))) throw new Error('redis not reachable');
  process.on('message', async (message: ToInstance) => {
    if (message.type === 'stop') {
      await state.close();
      process.exit(0);
    }
    const started = wall();
    try {
      if (message.type === 'revoke') {
        const made = await revocations.revoke({ subject: `propagation-${message.n}`, issuer: ISSUER });
        send({ type: 'made', id: made.id, started, stored: wall() });
      } else {
        await revocations.lift(message.id);
        send({ type: 'lifted', id: message.id, started, stored: wall() });
      }
    } catch {
      send({ type: 'refused', started, at: wall() });
    }
  });
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
