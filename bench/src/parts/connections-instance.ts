/**
 * One server of the connections bench: a gate (state in memory, or on Redis) in front of a `ws` server at
 * `/gated` (`webSocketGate`), next to a bare `ws` server at `/bare` sending a welcome of the same size.
 * Prints `listening <port>`; on IPC `{type: 'revoke', selector}` makes the revocation and replies with
 * when it started and when it was stored. `node connections-instance.js <redis url | memory>` with
 * `BENCH_CONFIG` (and `BENCH_EXTRA_KEYS`, more API keys as JSON) in the environment.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createGatehouse, type RevocationSelector, webSocketGate } from '@gatehouse/core';
import { WebSocketServer } from 'ws';
import { BARE_SUBJECT, type ServerConfig } from '../fixture.js';

/** Wall-clock milliseconds, sub-millisecond resolution: comparable between processes on one machine. */
const wall = () => performance.timeOrigin + performance.now();

export type ToConnectionsInstance = { type: 'revoke'; selector: RevocationSelector } | { type: 'stop' };
export type FromConnectionsInstance = { type: 'made'; started: number; stored: number };

const WELCOME = JSON.stringify({
  type: 'welcome',
  subject: BARE_SUBJECT,
  issuer: 'api_key',
  authType: 'api_key',
});

async function main(): Promise<void> {
  const state = process.argv[2];
  const config = JSON.parse(process.env.BENCH_CONFIG!) as ServerConfig;
  const extraKeys = JSON.parse(process.env.BENCH_EXTRA_KEYS ?? '[]') as { name: string; key: string }[];
  const gate = createGatehouse({
    env: false,
    oidc: { issuers: [{ issuer: config.issuer, audience: config.audience }] },
    apiKeys: [{ name: config.apiKeyName, key: config.apiKey }, ...extraKeys],
    redisUrl: state === 'memory' ? undefined : state,
  });
  await gate.warmUp();
  const server = createServer((_req, res) => void res.writeHead(404).end());
  const gated = new WebSocketServer({ noServer: true });
  const bare = new WebSocketServer({ noServer: true });
  bare.on('connection', (ws) => ws.send(WELCOME));
  webSocketGate(gate, { server: gated, path: '/gated' }).attach(server);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (request.url === '/bare')
      bare.handleUpgrade(request, socket, head, (ws) => bare.emit('connection', ws));
  });
  process.on('message', async (message: ToConnectionsInstance) => {
    if (message.type === 'stop') {
      await gate.close();
      process.exit(0);
    }
    const started = wall();
    await gate.revocations.revoke(message.selector);
    process.send!({ type: 'made', started, stored: wall() } satisfies FromConnectionsInstance);
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
