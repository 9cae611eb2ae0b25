/**
 * Two instances of one service sharing a real redis-server: a revocation made on one closes the live
 * WebSocket, Socket.IO socket and gRPC stream held by the other within 1 s.
 */
import {
  createGatehouse,
  type Gatehouse,
  SOCKET_IO_EVENTS,
  socketIoGate,
  webSocketGate,
} from '@gatehouse/core';
import { createRedisState, type RedisState } from '@gatehouse/redis';
import { hasRedis, RedisServer } from '@gatehouse/testkit';
import type { ServiceError } from '@grpc/grpc-js';
import { Server as SocketIoServer } from 'socket.io';
import { io as socketIoClient } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { closed, connect, startServer } from '../../packages/core/test/connections/fixture.js';
import { KeyServer } from '../../packages/core/test/helpers/key-server.js';
import { metadata, serve } from '../../packages/grpc/test/helpers.js';

const API_KEY = { name: 'exporter', key: 'exporter-key-0123456789' };

describe.skipIf(!hasRedis)('revocation on another instance closes live connections (real Redis)', () => {
  let redis: RedisServer;
  let issuer: KeyServer;
  let prefix = 0;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    issuer = await KeyServer.start();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await issuer?.close();
    await redis?.stop();
  });

  /** Two gates of one service: each with its own connection to the shared Redis. */
  async function instances(): Promise<[Gatehouse, Gatehouse]> {
    const keyPrefix = `conn${++prefix}:`;
    const make = async () => {
      const state: RedisState = createRedisState({ url: redis.url, keyPrefix });
      expect(await state.ready()).toBe(true);
      const gate = createGatehouse({
        oidc: { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] },
        apiKeys: [API_KEY],
        state,
      });
      cleanups.push(async () => {
        gate.close();
        await state.close();
      });
      return gate;
    };
    return [await make(), await make()];
  }

  it('closes a WebSocket on instance A when instance B revokes its token', async () => {
    const [a, b] = await instances();
    const http = await startServer();
    const wss = new WebSocketServer({ noServer: true });
    webSocketGate(a, { server: wss, path: '/v1/stream' }).attach(http.server);
    cleanups.push(async () => {
      wss.close();
      await http.close();
    });
    const token = await issuer.sign({ sub: 'alice', jti: 'x-ws-1' });
    const result = await connect(`${http.url}/v1/stream`, { headers: { authorization: `Bearer ${token}` } });
    if (!result.ok) throw new Error(`refused with ${result.status}`);
    const keyed = await connect(`${http.url}/v1/stream`, {
      headers: { authorization: `Bearer ${API_KEY.key}` },
    });
    if (!keyed.ok) throw new Error(`refused with ${keyed.status}`);

    const revokedAt = Date.now();
    const end = closed(result.ws, revokedAt);
    await b.revocations.revoke({ jti: 'x-ws-1', issuer: issuer.issuer });
    expect(await end).toMatchObject({ code: 4001, reason: 'revoked' });
    expect((await end).afterMs).toBeLessThan(1000);

    const keyEnd = closed(keyed.ws);
    await b.revocations.revoke({ apiKey: API_KEY.name });
    const keyClose = await keyEnd;
    expect(keyClose).toMatchObject({ code: 4001, reason: 'revoked' });
    expect(keyClose.afterMs).toBeLessThan(1000);
  });

  it('disconnects a Socket.IO socket on instance A when instance B logs its subject out', async () => {
    const [a, b] = await instances();
    const http = await startServer();
    const io = new SocketIoServer(http.server);
    io.use(socketIoGate(a));
    cleanups.push(async () => {
      io.close();
      await http.close();
    });
    const token = await issuer.sign({ sub: 'bob', iat: Math.floor(Date.now() / 1000) - 5 });
    const socket = socketIoClient(http.url.replace('ws:', 'http:'), { auth: { token }, reconnection: false });
    cleanups.push(() => void socket.disconnect());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const told = new Promise((resolve) => socket.once(SOCKET_IO_EVENTS.close, resolve));
    const revokedAt = Date.now();
    await b.revocations.revoke({ subject: 'bob', issuer: issuer.issuer });
    expect(await told).toEqual({ code: 4001, reason: 'revoked' });
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('ends a gRPC stream on instance A with UNAUTHENTICATED when instance B revokes its token', async () => {
    const [a, b] = await instances();
    const served = await serve(a);
    cleanups.push(() => served.close());
    const token = await issuer.sign({ sub: 'carol', jti: 'x-grpc-1' });
    const stream = served.telemetry.Watch({}, metadata({ authorization: `Bearer ${token}` }));
    await new Promise((resolve) => stream.once('data', resolve));
    const ended = new Promise<ServiceError>((resolve) => stream.once('error', resolve));
    const revokedAt = Date.now();
    await b.revocations.revoke({ jti: 'x-grpc-1', issuer: issuer.issuer });
    const err = await ended;
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(err.details).toBe('revoked');
    await expect.poll(() => served.watchCancelled).toEqual([true]);
  });
});
