import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatehouseOptions,
  SOCKET_IO_EVENTS,
  type SocketIoGateOptions,
  socketIoGate,
} from '../../src/index.js';
import type { KeyServer } from '../helpers/key-server.js';
import { API_KEY, gateFor, oidcOf, startIssuer, startServer } from './fixture.js';

let issuer: KeyServer;
beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer.close();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(gateOptions: GatehouseOptions = {}, bindOptions: SocketIoGateOptions = {}) {
  const gate = gateFor(issuer, gateOptions);
  const http = await startServer();
  const io = new Server(http.server);
  const sockets: ServerSocket[] = [];
  io.use(socketIoGate(gate, bindOptions));
  io.on('connection', (socket) => {
    sockets.push(socket);
    socket.emit('hello', { subject: socket.data.auth.subject, authType: socket.data.auth.authType });
    socket.on('whoami', (ack: (subject: string) => void) => ack(socket.data.auth.subject));
  });
  cleanups.push(async () => {
    io.close();
    await http.close();
    gate.close();
  });
  return { url: http.url.replace('ws:', 'http:'), gate, sockets };
}

type Outcome =
  | { ok: true; socket: Socket; hello: { subject: string; authType: string } }
  | { ok: false; message: string; data: { status: number; error: string; headers: Record<string, string> } };

function connect(url: string, options: Parameters<typeof connectClient>[1] = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connectClient(url, { reconnection: false, forceNew: true, ...options });
    cleanups.push(() => void socket.disconnect());
    socket.once('hello', (hello) => resolve({ ok: true, socket, hello }));
    socket.once('connect_error', (err: Error & { data?: unknown }) =>
      resolve({ ok: false, message: err.message, data: err.data as never }),
    );
  });
}

describe('Socket.IO handshakes through the pipeline (socket.io server and socket.io-client)', () => {
  it('accepts handshake.auth.token and puts the identity on socket.data.auth', async () => {
    const { url } = await serve();
    const token = await issuer.sign({ sub: 'alice' });
    const result = await connect(url, { auth: { token } });
    expect(result).toMatchObject({ ok: true, hello: { subject: 'alice', authType: 'oidc' } });
  });

  it('accepts the Authorization header of Node clients (extraHeaders), on the websocket transport too', async () => {
    const { url } = await serve();
    const result = await connect(url, {
      transports: ['websocket'],
      extraHeaders: { authorization: `Bearer ${API_KEY.key}` },
    });
    expect(result).toMatchObject({ ok: true, hello: { subject: API_KEY.name, authType: 'api_key' } });
  });

  it('refuses with connect_error carrying the HTTP answer: 401 with the challenge, 403 for the policy', async () => {
    const { url } = await serve({}, { policy: { scopes: ['telemetry:read'] } });
    const none = await connect(url);
    expect(none).toMatchObject({ ok: false, data: { status: 401, error: 'missing_credentials' } });
    if (!none.ok) expect(none.data.headers['www-authenticate']).toContain('Bearer realm="gatehouse"');
    const bad = await connect(url, { auth: { token: 'not.a.token' } });
    expect(bad).toMatchObject({ ok: false, data: { status: 401, error: 'invalid_token' } });
    const scoped = await connect(url, { auth: { token: await issuer.sign({ scope: 'other' }) } });
    expect(scoped).toMatchObject({ ok: false, data: { status: 403, error: 'insufficient_scope' } });
  });

  it('refuses a token in the query string unless opted in', async () => {
    const token = await issuer.sign({ sub: 'query-user' });
    const strict = await serve();
    expect(await connect(strict.url, { query: { access_token: token } })).toMatchObject({
      ok: false,
      data: { status: 401 },
    });
    const lenient = await serve({}, { queryToken: 'access_token' });
    expect(await connect(lenient.url, { query: { access_token: token } })).toMatchObject({
      ok: true,
      hello: { subject: 'query-user' },
    });
  });

  it('disconnects a revoked socket within 1 s, telling it why first', async () => {
    const { url, gate } = await serve();
    const token = await issuer.sign({ sub: 'bob', jti: 'sio-1' });
    const result = await connect(url, { auth: { token } });
    if (!result.ok) throw new Error(result.message);
    const told = new Promise((resolve) => result.socket.once(SOCKET_IO_EVENTS.close, resolve));
    const gone = new Promise((resolve) => result.socket.once('disconnect', resolve));
    const start = Date.now();
    await gate.revocations.revoke({ jti: 'sio-1', issuer: issuer.issuer });
    expect(await told).toEqual({ code: 4001, reason: 'revoked' });
    expect(await gone).toBe('io server disconnect');
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('disconnects at expiry, and re-authenticates in band where opted in', async () => {
    const { url } = await serve({ oidc: oidcOf(issuer, 0) }, { reauthentication: true });
    const now = Math.floor(Date.now() / 1000);
    const renewedOne = await connect(url, {
      auth: { token: await issuer.sign({ sub: 'carol', exp: now + 2 }) },
    });
    const expiring = await connect(url, {
      auth: { token: await issuer.sign({ sub: 'dave', exp: now + 2 }) },
    });
    if (!renewedOne.ok || !expiring.ok) throw new Error('refused');
    const renewed = await issuer.sign({ sub: 'carol', exp: now + 60 });
    const answer = await renewedOne.socket.emitWithAck(SOCKET_IO_EVENTS.reauthenticate, renewed);
    expect(answer).toEqual({ type: 'reauthenticated', expiresAt: now + 60 });
    const other = await renewedOne.socket.emitWithAck(SOCKET_IO_EVENTS.reauthenticate, API_KEY.key);
    expect(other).toMatchObject({ type: 'reauthentication_failed', error: 'invalid_request' });

    const told = new Promise((resolve) => expiring.socket.once(SOCKET_IO_EVENTS.close, resolve));
    expect(await told).toEqual({ code: 4001, reason: 'expired' });
    expect(Date.now()).toBeGreaterThanOrEqual((now + 2) * 1000);
    expect(renewedOne.socket.connected).toBe(true);
    expect(await renewedOne.socket.emitWithAck('whoami')).toBe('carol');
  });
});
