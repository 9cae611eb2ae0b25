/**
 * Revocation propagation (issue 11: "every instance refuses it within a second"; issue 23: on every
 * topology, and across a failover): three instances on one Redis (one server, a cluster or Sentinel),
 * each its own process; instance 0 revokes (as `POST /v1/admin/revocations` does) and lifts, one at a
 * time, and the other two report when the change is in force in their memory. Times run from the moment
 * the revocation is stored (the 201) to the later of the other two instances. With a failover, it is
 * forced a third of the way through and changes go on until it is over and a third more: refused ones (the 503s) are
 * counted, acknowledged ones timed as before.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { FailoverWindow } from './failover-window.js';
import { DIST } from './processes.js';
import type { FromInstance, ToInstance } from './propagation-instance.js';

export interface PropagationStats {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface PropagationResult {
  readonly instances: number;
  /** Revoke on instance 0 → in force on both others, from the store's answer (the 201). */
  readonly revoke: PropagationStats;
  /** The same from the start of the request (store round trip included). */
  readonly revokeFromRequest: PropagationStats;
  /** Lift on instance 0 → lifted on both others, from the store's answer (the 204). */
  readonly lift: PropagationStats;
  /** Changes answered 503 (only across a failover). */
  readonly refused: number;
  /** How long the failover took, when there was one. */
  readonly failoverMs?: number;
}

const INSTANCES = 3;

function stats(values: number[]): PropagationStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1)! };
}

class Instance {
  private readonly waiting = new Map<string, (message: FromInstance) => void>();
  // Notices that arrived before anyone waited for them (an instance can be faster than the reply).
  private readonly early = new Map<string, FromInstance>();
  readonly child: ChildProcess;
  readonly ready: Promise<void>;

  /** `observer`: one of the instances whose notices are timed (not the one that revokes). */
  constructor(
    url: string,
    private readonly observer: boolean,
  ) {
    this.child = spawn(process.execPath, [`${DIST}parts/propagation-instance.js`, url], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`a propagation instance exited with ${code}`)));
      this.waiting.set('ready', () => resolve());
    });
    this.child.on('message', (message: FromInstance) => {
      const key = 'id' in message ? `${message.type} ${message.id}` : message.type;
      const waiter = this.waiting.get(key);
      if (waiter) {
        this.waiting.delete(key);
        waiter(message);
      } else if (this.observer && (message.type === 'seen' || message.type === 'gone')) {
        this.early.set(key, message);
      }
    });
  }

  next(type: string, id: string): Promise<FromInstance> {
    const key = `${type} ${id}`;
    const arrived = this.early.get(key);
    if (arrived) {
      this.early.delete(key);
      return Promise.resolve(arrived);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${key}" within 10 s`)), 10_000);
      this.waiting.set(key, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  send(message: ToInstance): void {
    this.child.send(message);
  }

  /** The reply of instance 0 to a command (its id is not known in advance), or its refusal. */
  reply(type: 'made' | 'lifted'): Promise<Extract<FromInstance, { type: 'made' | 'lifted' | 'refused' }>> {
    return new Promise((resolve) => {
      const listener = (message: FromInstance) => {
        if (message.type === type || message.type === 'refused') {
          this.child.off('message', listener);
          resolve(message as Extract<FromInstance, { type: 'made' | 'lifted' | 'refused' }>);
        }
      };
      this.child.on('message', listener);
    });
  }
}

/**
 * Makes and lifts `count` revocations one at a time; three instances on the Redis at `url`. With
 * `failover`, it is started after a third of them, and changes go on until it is over.
 */
export async function measurePropagation(
  url: string,
  count: number,
  failover?: () => Promise<unknown>,
): Promise<PropagationResult> {
  const instances = Array.from({ length: INSTANCES }, (_, i) => new Instance(url, i > 0));
  try {
    await Promise.all(instances.map((i) => i.ready));
    const [origin, ...others] = instances as [Instance, ...Instance[]];
    const revoke: number[] = [];
    const fromRequest: number[] = [];
    const lift: number[] = [];
    let refused = 0;
    const window = new FailoverWindow(count, failover);
    for (let n = 0; window.step(n); n++) {
      const made = origin.reply('made');
      origin.send({ type: 'revoke', n });
      const answer = await made;
      if (answer.type === 'refused') {
        refused++;
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      const { id, started, stored } = answer;
      const seen = await Promise.all(others.map((o) => o.next('seen', id)));
      const last = Math.max(...seen.map((s) => (s as { at: number }).at));
      revoke.push(last - stored);
      fromRequest.push(last - started);
      const lifted = origin.reply('lifted');
      origin.send({ type: 'lift', id });
      const liftAnswer = await lifted;
      if (liftAnswer.type === 'refused') {
        refused++;
        continue;
      }
      const gone = await Promise.all(others.map((o) => o.next('gone', id)));
      lift.push(Math.max(...gone.map((g) => (g as { at: number }).at)) - liftAnswer.stored);
    }
    await window.done();
    return {
      instances: INSTANCES,
      revoke: stats(revoke),
      revokeFromRequest: stats(fromRequest),
      lift: stats(lift),
      refused,
      failoverMs: window.tookMs,
    };
  } finally {
    for (const instance of instances) {
      if (instance.child.exitCode === null) instance.send({ type: 'stop' });
    }
    await Promise.all(
      instances.map(
        (i) =>
          new Promise<void>((resolve) =>
            i.child.exitCode !== null ? resolve() : i.child.once('exit', () => resolve()),
          ),
      ),
    );
  }
}
