/**
 * Keeps an instance's in-memory revocation list equal to Redis's, in the background:
 * - every change bumps a version and is broadcast (pub/sub) with it; a message is applied at once;
 * - a gap in the versions, a reconnection or a version that differs at the periodic check (every
 *   `pollIntervalMs`) triggers a full resync, so a missed message is repaired within one poll;
 * - an epoch key tells a Redis that kept its data from one that came back empty (or was flushed): then
 *   the instance puts back the revocations it knows, except those lifted since (tombstones).
 */
import { randomUUID } from 'node:crypto';
import { parseRevocation, type Revocation, type RevocationList } from '@gatehouse/core/state';
import type { RunScript } from './commands.js';
import type { KeyLayout } from './keys.js';
import { ADD, LIFT, RESTORE, type Script, SNAPSHOT } from './scripts.js';

type Op = { readonly op: 'add'; readonly rev: Revocation } | { readonly op: 'remove'; readonly id: string };

/** Changes remembered for replay over an older snapshot. */
const HISTORY = 1000;

/** Tombstones of lifted revocations without an expiry last this long. */
const TOMBSTONE_MS = 30 * 24 * 3600 * 1000;

/** The revocation replication of one instance (see the module comment). */
export class RevocationSync {
  /** The epoch of the data this instance mirrors (undefined before the first sync). */
  private epoch: string | undefined;
  /** Every change up to this version is reflected in the mirror. */
  private version = 0;
  /** Recent changes by version (applied), replayed over a snapshot older than they are. */
  private readonly history = new Map<number, Op>();
  private syncing: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly mirror: RevocationList,
    private readonly keys: KeyLayout,
    private readonly publishCommand: string,
    private readonly run: RunScript,
    private readonly now: () => number,
    private readonly onRestored: (count: number) => void,
  ) {}

  /** Whether the periodic check's epoch and version say that a resync is due. */
  isBehind(epoch: string | null, version: number): boolean {
    return epoch !== this.epoch || version !== this.version;
  }

  /** A full resync (serialised: one at a time, one more if asked meanwhile). */
  sync(): Promise<void> {
    if (this.syncing !== undefined) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again);
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  /** Stores a revocation in Redis, then in the mirror. Rejects when Redis cannot be reached. */
  async add(revocation: Revocation): Promise<void> {
    const [epoch, version] = await this.change(ADD, revocation.id, [
      JSON.stringify(revocation),
      String(revocation.expiresAt ?? ''),
    ]);
    this.ownChange(epoch, version, { op: 'add', rev: revocation });
    if (!this.mirror.has(revocation.id)) this.mirror.add(revocation);
  }

  /** Lifts a revocation everywhere: false when neither Redis nor this instance knows the id. */
  async remove(id: string): Promise<boolean> {
    if (this.epoch === undefined) await this.sync();
    const known = this.mirror.get(id);
    const ttl = known?.expiresAt != null ? Math.max(1000, known.expiresAt - this.now()) : TOMBSTONE_MS;
    const [epoch, version, lifted] = await this.change(LIFT, id, [known ? '1' : '0', String(ttl)]);
    if (lifted !== 1) return false;
    this.ownChange(epoch, version, { op: 'remove', id });
    this.mirror.delete(id);
    return true;
  }

  /** A message from the revocation channel. */
  onMessage(message: string): void {
    let parsed: { op?: unknown; e?: unknown; v?: unknown; rev?: unknown; id?: unknown };
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const version = typeof parsed.v === 'number' ? parsed.v : Number.NaN;
    let op: Op | undefined;
    if (parsed.op === 'add') {
      const rev = parseRevocation(parsed.rev);
      if (rev !== undefined) op = { op: 'add', rev };
    } else if (parsed.op === 'remove' && typeof parsed.id === 'string') op = { op: 'remove', id: parsed.id };
    if (parsed.e !== this.epoch || op === undefined || !Number.isInteger(version)) {
      // Another epoch, a resync request, or something this version does not know: adding is always
      // safe (stricter), and a resync settles the rest.
      if (op?.op === 'add') this.mirror.add(op.rev);
      void this.sync().catch(() => {});
      return;
    }
    this.apply(version, op);
  }

  private ownChange(epoch: string, version: number, op: Op): void {
    if (epoch !== this.epoch) {
      apply(this.mirror, op);
      void this.sync().catch(() => {});
      return;
    }
    this.apply(version, op);
  }

  // Applies a change of a known version: at once, whatever the order; the version advances only over
  // contiguous changes, so a gap is visible to the periodic check (and repaired by a resync).
  private apply(version: number, op: Op): void {
    if (version <= this.version || this.history.has(version)) return;
    apply(this.mirror, op);
    this.history.set(version, op);
    while (this.history.has(this.version + 1)) this.version++;
    if (this.history.size > HISTORY) {
      for (const v of this.history.keys()) if (v <= this.version - HISTORY) this.history.delete(v);
    }
  }

  private async syncOnce(): Promise<void> {
    let snapshot = await this.snapshot();
    if (snapshot.epoch === null || (this.epoch !== undefined && snapshot.epoch !== this.epoch)) {
      const restored = await this.restore();
      if (restored > 0) this.onRestored(restored);
      snapshot = await this.snapshot();
    }
    if (snapshot.epoch !== this.epoch) this.history.clear(); // versions start over with an epoch
    this.epoch = snapshot.epoch ?? undefined;
    // Changes applied from messages may be newer than the snapshot (another connection): replayed.
    const newer = [...this.history].filter(([v]) => v > snapshot.version).sort((a, b) => a[0] - b[0]);
    this.mirror.replaceAll(snapshot.revocations);
    for (const [, op] of newer) apply(this.mirror, op);
    this.version = snapshot.version;
    while (this.history.has(this.version + 1)) this.version++;
  }

  private async snapshot(): Promise<{ epoch: string | null; version: number; revocations: Revocation[] }> {
    const keys = [this.keys.epoch, this.keys.version, this.keys.rev, this.keys.revExpiries];
    const [epoch, version, values] = (await this.run(SNAPSHOT, keys, [String(this.now())])) as [
      string | null,
      number,
      string[],
    ];
    const revocations: Revocation[] = [];
    for (const value of values) {
      try {
        const revocation = parseRevocation(JSON.parse(value));
        if (revocation !== undefined) revocations.push(revocation);
      } catch {
        // damaged entry: skipped, never fatal
      }
    }
    return { epoch, version: Number(version), revocations };
  }

  /**
   * Puts back, in Redis, every revocation this instance knows that Redis lacks (unless lifted since):
   * after a failover, what the old primary acknowledged but had not replicated. Returns how many.
   */
  async reassert(): Promise<number> {
    if (this.mirror.size === 0) return 0;
    const restored = await this.restore();
    if (restored > 0) this.onRestored(restored);
    return restored;
  }

  private async restore(): Promise<number> {
    const now = this.now();
    const args = [
      randomUUID(),
      this.keys.channel,
      this.keys.tombstonePrefix,
      String(now),
      this.publishCommand,
    ];
    for (const r of this.mirror.list()) {
      if (r.expiresAt !== null && r.expiresAt <= now) continue;
      args.push(r.id, JSON.stringify(r), String(r.expiresAt ?? ''));
    }
    const keys = [this.keys.epoch, this.keys.version, this.keys.rev, this.keys.revExpiries];
    const reply = (await this.run(RESTORE, keys, args)) as [string, number, number];
    return Number(reply[2]);
  }

  // One change script (ADD or LIFT) on revocation `id`: its epoch, the new version and (LIFT) whether
  // it lifted. A null epoch means Redis lost its data: put back what this instance knows, then once more.
  private async change(
    script: Script,
    id: string,
    fields: readonly string[],
  ): Promise<[epoch: string, version: number, lifted: number]> {
    if (this.epoch === undefined) await this.sync();
    const k = this.keys;
    const keys = [k.epoch, k.version, k.rev, k.revExpiries, `${k.tombstonePrefix}${id}`];
    const args = [id, ...fields, k.channel, this.publishCommand];
    let reply = (await this.run(script, keys, args)) as [string | null, number, number?];
    if (reply[0] === null) {
      await this.sync();
      reply = (await this.run(script, keys, args)) as [string | null, number, number?];
      if (reply[0] === null) throw new Error('Redis has no revocation epoch');
    }
    return [reply[0], Number(reply[1]), Number(reply[2])];
  }
}

function apply(mirror: RevocationList, op: Op): void {
  if (op.op === 'add') mirror.add(op.rev);
  else mirror.delete(op.id);
}
