/**
 * Long-lived connections (issue 24): what a WebSocket handshake through the gate costs next to a bare `ws`
 * server, and how long a revocation takes to close a live socket, on the instance that made it and on
 * another one sharing a redis-server. Servers are their own processes (pinned to core 0); the clients
 * (`ws`) run here.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { claims, type ServerConfig, type SigningKey, sign, signMany } from '../fixture.js';
import type { FromConnectionsInstance, ToConnectionsInstance } from './connections-instance.js';
import { DIST, spawnNode } from './processes.js';

export interface HandshakeRow {
  readonly name: string;
  readonly count: number;
  readonly perSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface CloseRow {
  readonly name: string;
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ConnectionsResult {
  readonly handshakes: readonly HandshakeRow[];
  readonly closes: readonly CloseRow[];
}

export interface ConnectionsSettings {
  readonly config: ServerConfig;
  readonly key: SigningKey;
  /** Distinct valid tokens, each seen once (first-sight handshakes). */
  readonly coldTokens: readonly string[];
  readonly handshakes: number;
  readonly closes: number;
  /** Sockets one revocation closes at once. */
  readonly burst: number;
}

const wall = () => performance.timeOrigin + performance.now();
const BURST_KEY = { name: 'bench-burst', key: 'gh_live_burst_key_0123456789abcdefghijkl' };
const CONCURRENCY = 8;

function quantiles(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}

class Instance {
  readonly child: ChildProcess;
  readonly url: Promise<string>;

  constructor(state: string, config: ServerConfig) {
    this.child = spawnNode(0, [`${DIST}parts/connections-instance.js`, state], {
      env: { BENCH_CONFIG: JSON.stringify(config), BENCH_EXTRA_KEYS: JSON.stringify([BURST_KEY]) },
      ipc: true,
    });
    this.url = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('a connections instance did not start in 20 s')),
        20_000,
      );
      createInterface({ input: this.child.stdout! }).on('line', (line) => {
        const match = /^listening (\d+)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(`ws://127.0.0.1:${match[1]}`);
        }
      });
    });
  }

  revoke(
    selector: Extract<ToConnectionsInstance, { type: 'revoke' }>['selector'],
  ): Promise<FromConnectionsInstance> {
    return new Promise((resolve) => {
      this.child.once('message', (message: FromConnectionsInstance) => resolve(message));
      this.child.send({ type: 'revoke', selector } satisfies ToConnectionsInstance);
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'stop' } satisfies ToConnectionsInstance);
    });
  }
}

/**
 * When the close frame reaches the client. `ws` emits `close` only once the TCP connection is torn down
 * too (after the client's own close frame and the server's FIN), which for a thousand sockets at once
 * measures the close handshake, not Gatehouse; its receiver's `conclude` event is the frame itself.
 */
function closeFrame(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    const receiver = (
      ws as unknown as { _receiver?: { once(event: 'conclude', listener: () => void): void } }
    )._receiver;
    receiver?.once('conclude', () => resolve(wall()));
    ws.once('close', () => resolve(wall()));
  });
}

interface Dial {
  readonly headers?: Record<string, string>;
  readonly protocols?: string[];
}

/** Opens a socket and resolves once its first message (the welcome) arrived. */
function open(url: string, dial: Dial): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, dial.protocols ?? [], { headers: dial.headers });
    ws.once('message', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Handshakes with `dial(i)`, 8 at a time; their latencies and the rate they went at. */
async function handshakes(url: string, dial: (i: number) => Dial, first: number, count: number) {
  const latencies: number[] = [];
  let next = first;
  const worker = async () => {
    while (next < first + count) {
      const i = next++;
      const started = performance.now();
      const ws = await open(url, dial(i));
      latencies.push(performance.now() - started);
      ws.terminate();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, perSec: count / ((performance.now() - started) / 1000) };
}

interface HandshakeVariant {
  readonly name: string;
  readonly path: '/bare' | '/gated';
  readonly dial: (i: number) => Dial;
}

const ROUNDS = 3;

// The variants take turns, round after round, so that a burst of load on this shared machine falls on all
// of them alike; the rate is the median round's.
async function measureHandshakes(settings: ConnectionsSettings): Promise<HandshakeRow[]> {
  const instance = new Instance('memory', settings.config);
  try {
    const base = await instance.url;
    const hot = await sign(settings.key, claims(settings.config.issuer, 1));
    const bearer = (token: string): Dial => ({ headers: { authorization: `Bearer ${token}` } });
    const carrier = ['gatehouse.v1', `gatehouse.bearer.${Buffer.from(hot).toString('base64url')}`];
    const variants: HandshakeVariant[] = [
      { name: 'bare ws server (no authentication)', path: '/bare', dial: () => ({}) },
      { name: 'API key (Authorization)', path: '/gated', dial: () => bearer(settings.config.apiKey) },
      { name: 'JWT RS256, cached (Authorization)', path: '/gated', dial: () => bearer(hot) },
      { name: 'JWT RS256, cached (browser carrier)', path: '/gated', dial: () => ({ protocols: carrier }) },
      {
        name: 'JWT RS256, first sight (signature verified)',
        path: '/gated',
        dial: (i) => bearer(settings.coldTokens[i % settings.coldTokens.length]!),
      },
    ];
    // Warm-up: the server's JIT, the key set, the token cache.
    await handshakes(`${base}/gated`, () => bearer(hot), 0, 300);
    await handshakes(`${base}/bare`, () => ({}), 0, 300);
    const perRound = Math.ceil(settings.handshakes / ROUNDS);
    const results = variants.map(() => ({ latencies: [] as number[], rates: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [v, variant] of variants.entries()) {
        const r = await handshakes(`${base}${variant.path}`, variant.dial, round * perRound, perRound);
        results[v]!.latencies.push(...r.latencies);
        results[v]!.rates.push(r.perSec);
      }
    }
    return variants.map((variant, v) => {
      const { latencies, rates } = results[v]!;
      const q = quantiles(latencies);
      return {
        name: variant.name,
        count: latencies.length,
        perSec: quantiles(rates).p50,
        p50Ms: q.p50,
        p99Ms: q.p99,
      };
    });
  } finally {
    await instance.stop();
  }
}

// One socket at a time: connect with its own subject's token, revoke that subject, time the close.
async function closeRow(
  name: string,
  revoker: Instance,
  holder: Instance,
  tokens: readonly string[],
  subjects: readonly string[],
  issuer: string,
): Promise<CloseRow> {
  const url = `${await holder.url}/gated`;
  const latencies: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const ws = await open(url, { headers: { authorization: `Bearer ${tokens[i]}` } });
    const closedAt = closeFrame(ws);
    const made = await revoker.revoke({ subject: subjects[i]!, issuer });
    latencies.push((await closedAt) - made.stored);
  }
  const q = quantiles(latencies);
  return { name, count: latencies.length, p50Ms: q.p50, p99Ms: q.p99, maxMs: q.max };
}

// Many sockets of one API key on one instance, one revocation on another: the time to the last close.
async function burstRow(revoker: Instance, holder: Instance, sockets: number): Promise<CloseRow> {
  const url = `${await holder.url}/gated`;
  const open_: WebSocket[] = [];
  for (let i = 0; i < sockets; i += CONCURRENCY) {
    const batch = Math.min(CONCURRENCY, sockets - i);
    open_.push(
      ...(await Promise.all(
        Array.from({ length: batch }, () =>
          open(url, { headers: { authorization: `Bearer ${BURST_KEY.key}` } }),
        ),
      )),
    );
  }
  const closes = open_.map(closeFrame);
  const made = await revoker.revoke({ apiKey: BURST_KEY.name });
  const latencies = (await Promise.all(closes)).map((at) => at - made.stored);
  const q = quantiles(latencies);
  return {
    name: `another instance: one revocation closing ${sockets} sockets of one API key (to each close frame)`,
    count: latencies.length,
    p50Ms: q.p50,
    p99Ms: q.p99,
    maxMs: q.max,
  };
}

/** The whole part: handshakes, then close latencies (on Redis when `config.redisUrl` is set). */
export async function measureConnections(settings: ConnectionsSettings): Promise<ConnectionsResult> {
  const handshakes = await measureHandshakes(settings);
  const { config } = settings;
  const subjects = Array.from({ length: settings.closes * 2 }, (_, i) => `user-${900_000 + i}`);
  const tokens = await signMany(settings.key, config.issuer, settings.closes * 2, 900_000);
  const redis = config.redisUrl;
  const a = new Instance(redis ?? 'memory', config);
  const b = redis === undefined ? undefined : new Instance(redis, config);
  try {
    const closes = [
      await closeRow(
        `same instance (${redis ? 'state on Redis' : 'in-process state'}): revocation stored → close received`,
        a,
        a,
        tokens.slice(0, settings.closes),
        subjects.slice(0, settings.closes),
        config.issuer,
      ),
    ];
    if (b !== undefined) {
      closes.push(
        await closeRow(
          'another instance (one Redis): revocation stored → close received',
          a,
          b,
          tokens.slice(settings.closes),
          subjects.slice(settings.closes),
          config.issuer,
        ),
        await burstRow(a, b, settings.burst),
      );
    }
    return { handshakes, closes };
  } finally {
    await Promise.all([a.stop(), b?.stop()]);
  }
}
