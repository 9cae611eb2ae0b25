/**
 * The live feed sends each dashboard the new records the authorization step lets it read: one batch of
 * decisions per read (one per sender and kind), answered synchronously (rules, Cedar) or by a promise (a
 * PDP), in order; no decision, no records (an error update instead).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveFeed, type LiveUpdate } from '../src/live/live-feed.js';
import type { SenderRecords } from '../src/ownership.js';
import type { Sender } from '../src/records.js';
import { openTelemetryStore, type TelemetryStore } from '../src/store.js';
import { parseBatch } from '../src/validate/batch.js';

const alice: Sender = { subject: 'alice', issuer: 'https://idp.example.com', authType: 'oidc' };
const bob: Sender = { subject: 'bob', issuer: 'https://idp.example.com', authType: 'oidc' };
const aliceElsewhere: Sender = { subject: 'alice', issuer: 'api_key', authType: 'api_key' };

let dir: string;
let store: TelemetryStore;
let feed: LiveFeed;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'live-feed-'));
  store = openTelemetryStore({ path: join(dir, 'telemetry.db') });
  feed = new LiveFeed(store, { intervalMs: 20 });
});
afterEach(() => {
  feed.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = (sender: Sender, message: string) =>
  store.insertBatch(
    parseBatch({
      logs: [{ processId: 'p-1', level: 'info', message }],
      metrics: [{ processId: 'p-1', name: 'm', value: 1 }],
    }),
    sender,
  );
const ownOnly = (resources: SenderRecords[]) =>
  resources.filter((r) => r.owner.subject === 'alice' && r.owner.issuer === alice.issuer);
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('LiveFeed', () => {
  it('sends the records of the senders the decision allows, asking once per sender and kind', async () => {
    const asked: SenderRecords[][] = [];
    const updates: LiveUpdate[] = [];
    const permitted = (resources: SenderRecords[]) => {
      asked.push(resources);
      return ownOnly(resources);
    };
    feed.subscribe({ permitted }, ['logs', 'metrics'], (u) => updates.push(u));
    for (const [sender, message] of [
      [alice, 'a1'],
      [bob, 'b1'],
      [alice, 'a2'],
      [aliceElsewhere, 'x1'],
    ] as const) {
      send(sender, message);
    }
    await until(() => updates.length >= 2);
    expect(updates).toEqual([
      {
        type: 'logs',
        entries: [expect.objectContaining({ message: 'a1' }), expect.objectContaining({ message: 'a2' })],
      },
      {
        type: 'metrics',
        points: [expect.objectContaining({ sender: alice }), expect.objectContaining({ sender: alice })],
      },
    ]);
    // One decision per sender and kind, whatever the number of records.
    expect(asked.flat().filter((r) => r.type === 'log')).toHaveLength(3);
  });

  it('waits for a PDP, keeps the order, and sends an error instead of records it could not decide on', async () => {
    const updates: LiveUpdate[] = [];
    let calls = 0;
    const permitted = (resources: SenderRecords[]) => {
      calls++;
      // The first decision is slow, the second fails: the order of updates is still the order of reads.
      if (calls === 1)
        return new Promise<SenderRecords[]>((r) => setTimeout(() => r(ownOnly(resources)), 150));
      if (calls === 2) return Promise.reject(new Error('PDP unreachable'));
      return Promise.resolve(ownOnly(resources));
    };
    feed.subscribe({ permitted }, ['logs'], (u) => updates.push(u));
    send(alice, 'first');
    await until(() => calls === 1);
    send(alice, 'second');
    await until(() => calls === 2);
    send(alice, 'third');
    await until(() => updates.length >= 3);
    expect(updates.map((u) => (u.type === 'logs' ? u.entries.map((e) => e.message).join() : u.type))).toEqual(
      ['first', 'error', 'third'],
    );
    expect(updates[1]).toMatchObject({ type: 'error', error: 'authz_unavailable' });
  });
});
