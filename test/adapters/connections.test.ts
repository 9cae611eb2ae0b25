/**
 * Long-lived connections on every adapter that has the transport, with real clients (`ws`,
 * `socket.io-client`, `graphql-ws`): the handshake through the pipeline (header, browser carrier, refusals as HTTP
 * answers, a query-string token refused), the identity given to the application, and the connection
 * closed with 4001 when its credentials are revoked or expire.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import {
  bearerProtocol,
  type Connected,
  closed,
  connect,
  nextMessage,
} from '../../packages/core/test/connections/fixture.js';
import { subscribeWhoami } from '../../packages/core/test/connections/graphql-fixture.js';
import { KeyServer } from '../../packages/core/test/helpers/key-server.js';
import {
  CONNECTION_TARGETS,
  type ConnectionTarget,
  GRAPHQL_POLICY,
  type RunningConnections,
} from './connection-targets.js';

const USER_KEY = { name: 'exporter', key: 'exporter-key-0123456789' };
const ADMIN_KEY = { name: 'root', key: 'root-key-0123456789abc' };

let issuer: KeyServer;
beforeAll(async () => {
  issuer = await KeyServer.start();
});
afterAll(() => issuer?.close());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(
  target: ConnectionTarget,
  clockToleranceSecs?: number,
  binding?: { reauthentication?: boolean },
): Promise<RunningConnections> {
  const running = await target.start(
    {
      oidc: { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }], clockToleranceSecs },
      apiKeys: [USER_KEY, ADMIN_KEY],
      admins: [ADMIN_KEY.name],
    },
    binding,
  );
  cleanups.push(() => running.close());
  return running;
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

const WEBSOCKET_TARGETS = CONNECTION_TARGETS.filter((t) => t.transport === 'websocket');
const SOCKET_IO_TARGETS = CONNECTION_TARGETS.filter((t) => t.transport === 'socket.io');

describe.each(WEBSOCKET_TARGETS)('$name: WebSocket upgrades', (target) => {
  function opened(result: Connected): WebSocket {
    if (!result.ok) throw new Error(`refused with ${result.status}: ${JSON.stringify(result.body)}`);
    cleanups.push(() => result.ws.terminate());
    return result.ws;
  }

  async function ask(ws: WebSocket): Promise<{ subject?: string; protocolHeader: string | null }> {
    const answer = nextMessage(ws);
    ws.send(JSON.stringify({ event: 'whoami' }));
    return ((await answer) as { data: { subject?: string; protocolHeader: string | null } }).data;
  }

  it('accepts Authorization (a JWT or an API key), sends the welcome first, and gives the app the identity', async () => {
    const { url } = await start(target);
    const token = await issuer.sign({ sub: 'alice' });
    const result = await connect(`${url}/v1/stream`, bearer(token));
    const ws = opened(result);
    expect(result.ok && result.first).toEqual({
      type: 'welcome',
      subject: 'alice',
      issuer: issuer.issuer,
      authType: 'oidc',
    });
    expect((await ask(ws)).subject).toBe('alice');
    const keyed = await connect(`${url}/v1/stream`, bearer(USER_KEY.key));
    expect(keyed.ok && keyed.first).toMatchObject({
      type: 'welcome',
      subject: 'exporter',
      authType: 'api_key',
    });
    opened(keyed);
  });

  it('takes the browser carrier, selects gatehouse.v1 and never lets the app see the token', async () => {
    const { url } = await start(target);
    const token = await issuer.sign({ sub: 'browser-user' });
    const ws = opened(
      await connect(`${url}/v1/stream`, { protocols: ['gatehouse.v1', bearerProtocol(token)] }),
    );
    expect(ws.protocol).toBe('gatehouse.v1');
    const seen = await ask(ws);
    expect(seen.subject).toBe('browser-user');
    if (seen.protocolHeader !== null) expect(seen.protocolHeader).toBe('gatehouse.v1');
  });

  it('refuses an upgrade without credentials, or with a query-string token, as an HTTP 401 with the challenge', async () => {
    const { url } = await start(target);
    const token = await issuer.sign({ sub: 'leaky' });
    for (const target of [`${url}/v1/stream`, `${url}/v1/stream?access_token=${token}`]) {
      const result = await connect(target);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.status).toBe(401);
      expect(result.headers['www-authenticate']).toMatch(/^Bearer realm="connections"/);
      expect(result.body).toMatchObject({ error: 'missing_credentials' });
      expect(JSON.stringify(result)).not.toContain(token);
    }
    const bad = await connect(`${url}/v1/stream`, bearer('not-a-valid-key'));
    expect(bad).toMatchObject({ ok: false, status: 401, body: { error: 'invalid_token' } });
  });

  it("refuses a non-admin on the admins' endpoint with 403, and lets an admin in", async () => {
    const { url } = await start(target);
    const refused = await connect(`${url}/v1/admin-stream`, bearer(USER_KEY.key));
    expect(refused).toMatchObject({ ok: false, status: 403, body: { error: 'forbidden' } });
    const ws = opened(await connect(`${url}/v1/admin-stream`, bearer(ADMIN_KEY.key)));
    expect((await ask(ws)).subject).toBe('root');
  });

  it('closes the socket with 4001 "revoked" within 1 s of a revocation', async () => {
    const { url, gate } = await start(target);
    const token = await issuer.sign({ sub: 'bob', iat: Math.floor(Date.now() / 1000) - 5 });
    const ws = opened(await connect(`${url}/v1/stream`, bearer(token)));
    const keyed = opened(await connect(`${url}/v1/stream`, bearer(USER_KEY.key)));
    const ends = [closed(ws), closed(keyed)];
    await gate.revocations.revoke({ subject: 'bob', issuer: issuer.issuer });
    await gate.revocations.revoke({ apiKey: USER_KEY.name });
    for (const end of await Promise.all(ends)) {
      expect(end).toMatchObject({ code: 4001, reason: 'revoked' });
      expect(end.afterMs).toBeLessThan(1000);
    }
  });

  it('closes the socket with 4001 "expired" when its token expires (no earlier, within 1 s)', async () => {
    const { url } = await start(target, 0);
    const exp = Math.floor(Date.now() / 1000) + 2;
    const ws = opened(await connect(`${url}/v1/stream`, bearer(await issuer.sign({ sub: 'short', exp }))));
    const end = await closed(ws);
    expect(end).toMatchObject({ code: 4001, reason: 'expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    expect(Date.now()).toBeLessThan(exp * 1000 + 1000);
  });
  it('re-authenticates in band where opted in: a later expiry keeps the socket open past the first', async () => {
    const { url } = await start(target, 0, { reauthentication: true });
    const now = Math.floor(Date.now() / 1000);
    const ws = opened(
      await connect(`${url}/v1/stream`, bearer(await issuer.sign({ sub: 'dana', exp: now + 2 }))),
    );
    const renewed = nextMessage(ws);
    ws.send(
      JSON.stringify({ type: 'reauthenticate', token: await issuer.sign({ sub: 'dana', exp: now + 60 }) }),
    );
    expect(await renewed).toEqual({ type: 'reauthenticated', expiresAt: now + 60 });
    const someoneElse = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'reauthenticate', token: await issuer.sign({ sub: 'eve' }) }));
    expect(await someoneElse).toMatchObject({ type: 'reauthentication_failed', error: 'invalid_request' });
    await new Promise((resolve) => setTimeout(resolve, (now + 3) * 1000 - Date.now()));
    expect(ws.readyState).toBe(ws.OPEN);
    expect((await ask(ws)).subject).toBe('dana');
  });
});

describe.each(WEBSOCKET_TARGETS)('$name: GraphQL over WebSocket (graphql-ws)', (target) => {
  const scope = GRAPHQL_POLICY.scopes!.join(' ');
  function subscribe(url: string, options: Parameters<typeof subscribeWhoami>[1] = {}, query = '') {
    const run = subscribeWhoami(`${url}/graphql${query}`, options);
    cleanups.push(run.dispose);
    return run;
  }

  it('gives the subscription context the identity of connectionParams.authorization, or the one the upgrade was accepted with', async () => {
    const { url, gate } = await start(target);
    const authorization = `Bearer ${await issuer.sign({ sub: 'alice', scope })}`;
    expect((await subscribe(url, { authorization }).first).value).toBe('alice');
    const headers = { authorization: `Bearer ${await issuer.sign({ sub: 'dave', scope })}` };
    expect((await subscribe(url, { headers, authorization }).first).value).toBe('dave');
    expect(gate.connections.size).toBe(2); // the upgraded socket is not tracked twice
  });

  it('closes a refused connection_init with 4401 (a bad token, or one in the query string) or 4403 (scope)', async () => {
    const { url } = await start(target);
    const bad = subscribe(url, { authorization: 'Bearer not.a.token' });
    expect(await bad.closed).toMatchObject({ code: 4401, reason: 'invalid_token' });
    const token = await issuer.sign({ sub: 'leaky', scope });
    const leaky = subscribe(url, {}, `?access_token=${token}`);
    expect(await leaky.closed).toMatchObject({ code: 4401, reason: 'missing_credentials' });
    const unscoped = subscribe(url, { authorization: await issuer.sign({ sub: 'eve', scope: 'other' }) });
    expect(await unscoped.closed).toMatchObject({ code: 4403, reason: 'insufficient_scope' });
  });

  it('closes a live subscription with 4001 "revoked" within 1 s of a revocation', async () => {
    const { url, gate } = await start(target);
    const token = await issuer.sign({ sub: 'bob', scope, iat: Math.floor(Date.now() / 1000) - 5 });
    const run = subscribe(url, { authorization: token });
    expect((await run.first).value).toBe('bob');
    const revokedAt = Date.now();
    await gate.revocations.revoke({ subject: 'bob', issuer: issuer.issuer });
    expect(await run.closed).toMatchObject({ code: 4001, reason: 'revoked' });
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });
});

describe.each(SOCKET_IO_TARGETS)('$name: Socket.IO handshakes', (target) => {
  function client(url: string, namespace: string, token?: string): Socket {
    const socket = io(`${url.replace('ws:', 'http:')}/${namespace}`, {
      transports: ['websocket'],
      auth: token === undefined ? {} : { token },
      reconnection: false,
    });
    cleanups.push(() => void socket.disconnect());
    return socket;
  }

  const connected = (socket: Socket) =>
    new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });

  const refusal = (socket: Socket) =>
    new Promise<{ status: number; error: string; headers: Record<string, string> }>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected')));
      socket.once('connect_error', (err) => resolve((err as Error & { data: never }).data));
    });

  it('accepts auth.token, and message handlers get the identity (@CurrentAuth) and their requirement', async () => {
    const { url } = await start(target);
    const socket = client(url, 'v1/stream', await issuer.sign({ sub: 'carol' }));
    await connected(socket);
    expect(await socket.emitWithAck('whoami')).toEqual({ subject: 'carol' });
    const exception = new Promise((resolve) => socket.once('exception', resolve));
    socket.emit('admin-only');
    expect(await exception).toEqual({
      status: 'error',
      error: 'forbidden',
      error_description: expect.any(String),
    });
    const admin = client(url, 'v1/stream', ADMIN_KEY.key);
    await connected(admin);
    expect(await admin.emitWithAck('admin-only')).toBe('ok');
  });

  it("refuses with connect_error carrying the HTTP answer: 401 without credentials, 403 on the admins' namespace", async () => {
    const { url } = await start(target);
    const missing = await refusal(client(url, 'v1/stream'));
    expect(missing).toMatchObject({ status: 401, error: 'missing_credentials' });
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="connections"/);
    const denied = await refusal(client(url, 'v1/admin-stream', USER_KEY.key));
    expect(denied).toMatchObject({ status: 403, error: 'forbidden' });
    const admin = client(url, 'v1/admin-stream', ADMIN_KEY.key);
    await connected(admin);
    expect(await admin.emitWithAck('whoami')).toEqual({ subject: 'root' });
  });

  it('disconnects with gatehouse:close 4001 "revoked" within 1 s, and "expired" at exp', async () => {
    const { url, gate } = await start(target, 0);
    const socket = client(url, 'v1/stream', USER_KEY.key);
    await connected(socket);
    const notice = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('gatehouse:close', resolve),
    );
    const revokedAt = Date.now();
    await gate.revocations.revoke({ apiKey: USER_KEY.name });
    expect(await notice).toEqual({ code: 4001, reason: 'revoked' });
    expect(Date.now() - revokedAt).toBeLessThan(1000);

    const exp = Math.floor(Date.now() / 1000) + 2;
    const short = client(url, 'v1/stream', await issuer.sign({ sub: 'short', exp }));
    await connected(short);
    const expired = await new Promise((resolve) => short.once('gatehouse:close', resolve));
    expect(expired).toEqual({ code: 4001, reason: 'expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });
});

describe('nestjs ws platform: per-message requirements', () => {
  it("refuses a message whose handler needs admin to a non-admin socket (Nest's exception event, with the error code), runs it for an admin", async () => {
    const target = WEBSOCKET_TARGETS.find((t) => t.name.startsWith('nestjs ws platform'))!;
    const { url } = await start(target);
    const user = await connect(`${url}/v1/stream`, bearer(USER_KEY.key));
    const admin = await connect(`${url}/v1/stream`, bearer(ADMIN_KEY.key));
    if (!user.ok || !admin.ok) throw new Error('refused');
    cleanups.push(
      () => user.ws.terminate(),
      () => admin.ws.terminate(),
    );
    const first = nextMessage(user.ws);
    user.ws.send(JSON.stringify({ event: 'admin-only' }));
    expect(await first).toMatchObject({
      event: 'exception',
      data: { status: 'error', error: 'forbidden', error_description: expect.any(String) },
    });
    const answer = nextMessage(admin.ws);
    admin.ws.send(JSON.stringify({ event: 'admin-only' }));
    expect(await answer).toEqual({ event: 'admin-only', data: 'ok' });
  });
});
