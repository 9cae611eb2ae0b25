import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  connectionAuth,
  type Gatehouse,
  type GatehouseOptions,
  guardWebSocketServer,
  METRIC_NAMES,
  prometheusText,
  type WebSocketGateOptions,
  webSocketGate,
} from '../../src/index.js';
import type { KeyServer } from '../helpers/key-server.js';
import { TestMeter } from '../helpers/meter.js';
import {
  API_KEY,
  bearerProtocol,
  type Connected,
  closed,
  connect,
  gateFor,
  nextMessage,
  oidcOf,
  startIssuer,
  startServer,
} from './fixture.js';

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

interface Served {
  url: string;
  gate: Gatehouse;
  /** Messages the application received, and the upgrade requests it saw. */
  received: string[];
  requests: IncomingMessage[];
}

async function serve(
  gateOptions: GatehouseOptions = {},
  bindOptions: Partial<WebSocketGateOptions> = {},
): Promise<Served> {
  const gate = gateFor(issuer, gateOptions);
  const http = await startServer();
  const wss = new WebSocketServer({ noServer: true });
  const received: string[] = [];
  const requests: IncomingMessage[] = [];
  webSocketGate(gate, { server: wss, path: '/v1/stream', ...bindOptions }).attach(http.server);
  wss.on('connection', (ws, req) => {
    requests.push(req);
    ws.on('message', (data) => received.push(String(data)));
  });
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    await http.close();
    gate.close();
  });
  return { url: `${http.url}/v1/stream`, gate, received, requests };
}

function opened(result: Connected): WebSocket {
  if (!result.ok) throw new Error(`refused with ${result.status}: ${JSON.stringify(result.body)}`);
  cleanups.push(() => result.ws.terminate());
  return result.ws;
}

describe('WebSocket upgrades through the pipeline (ws server and ws client)', () => {
  it('accepts a Bearer token in Authorization, welcomes the identity first and carries it on the socket', async () => {
    const { url, requests } = await serve();
    const token = await issuer.sign({ sub: 'alice' });
    const result = await connect(url, { headers: { authorization: `Bearer ${token}` } });
    opened(result);
    expect(result.ok && result.first).toEqual({
      type: 'welcome',
      subject: 'alice',
      issuer: issuer.issuer,
      authType: 'oidc',
    });
    expect(requests).toHaveLength(1);
  });

  it('accepts an API key, and exposes the identity with connectionAuth()', async () => {
    const gate = gateFor(issuer);
    const http = await startServer();
    const wss = new WebSocketServer({ noServer: true });
    const seen: (string | undefined)[] = [];
    wss.on('connection', (ws) => seen.push(connectionAuth(ws)?.subject));
    webSocketGate(gate, { server: wss }).attach(http.server);
    cleanups.push(async () => {
      wss.close();
      await http.close();
    });
    const ws = opened(
      await connect(`${http.url}/any/path`, { headers: { authorization: `Bearer ${API_KEY.key}` } }),
    );
    expect(seen).toEqual([API_KEY.name]);
    ws.close();
  });

  it('guards a ws server that listens on the HTTP server itself (its own upgrade handling)', async () => {
    const gate = gateFor(issuer);
    const http = await startServer();
    const wss = guardWebSocketServer(gate, new WebSocketServer({ server: http.server, path: '/v1/own' }));
    const seen: (string | undefined)[] = [];
    wss.on('connection', (ws) => seen.push(connectionAuth(ws)?.subject));
    cleanups.push(async () => {
      wss.close();
      await http.close();
      await gate.close();
    });
    const refused = await connect(`${http.url}/v1/own`);
    expect(refused).toMatchObject({ ok: false, status: 401, body: { error: 'missing_credentials' } });
    const ws = opened(
      await connect(`${http.url}/v1/own`, { headers: { authorization: `Bearer ${API_KEY.key}` } }),
    );
    expect(seen).toEqual([API_KEY.name]);
    // The same gate again changes nothing; another gate is a configuration error naming the field.
    expect(guardWebSocketServer(gate, wss)).toBe(wss);
    const other = gateFor(issuer);
    cleanups.push(() => other.close());
    expect(() => guardWebSocketServer(other, wss)).toThrow(/"server" .*another gate/);
    ws.close();
  });

  it('takes the browser carrier, selects gatehouse.v1 and lets the token reach neither the answer nor the application', async () => {
    const { url, requests } = await serve();
    const token = await issuer.sign({ sub: 'browser-user' });
    const result = await connect(url, { protocols: ['gatehouse.v1', bearerProtocol(token)] });
    const ws = opened(result);
    expect(ws.protocol).toBe('gatehouse.v1');
    expect(result.ok && result.first).toMatchObject({ type: 'welcome', subject: 'browser-user' });
    const answer = JSON.stringify(result.ok && result.responseHeaders);
    expect(answer).not.toContain(bearerProtocol(token).slice(20));
    const req = requests[0]!;
    expect(req.headers['sec-websocket-protocol']).toBe('gatehouse.v1');
    expect(JSON.stringify(req.rawHeaders)).not.toContain(bearerProtocol(token).slice(20));
  });

  it('selects gatehouse.v1 even when the client lists the carrier first', async () => {
    const { url } = await serve();
    const token = await issuer.sign();
    const ws = opened(await connect(url, { protocols: [bearerProtocol(token), 'gatehouse.v1'] }));
    expect(ws.protocol).toBe('gatehouse.v1');
  });

  it('refuses without credentials: 401 with the challenge and the JSON body, never upgraded', async () => {
    const { url, requests } = await serve({ realm: 'streams' });
    const result = await connect(url);
    expect(result).toMatchObject({ ok: false, status: 401 });
    if (result.ok) return;
    expect(result.headers['www-authenticate']).toMatch(/^Bearer realm="streams"(, DPoP algs="[^"]+")?$/);
    expect(result.body).toEqual({
      error: 'missing_credentials',
      error_description: 'bearer credentials required',
    });
    expect(requests).toHaveLength(0);
  });

  it('refuses a bad token with invalid_token, and never echoes it', async () => {
    const { url } = await serve();
    const forged = (await issuer.sign({ sub: 'mallory' })).replace(/\.[^.]+$/, '.AAAA');
    const result = await connect(url, { headers: { authorization: `Bearer ${forged}` } });
    expect(result).toMatchObject({ ok: false, status: 401 });
    if (result.ok) return;
    expect(result.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(JSON.stringify(result)).not.toContain(forged);
  });

  it('refuses a token in the query string by default, and reads it only where the route opts in', async () => {
    const token = await issuer.sign({ sub: 'query-user' });
    const strict = await serve();
    const refused = await connect(`${strict.url}?access_token=${token}`);
    expect(refused).toMatchObject({ ok: false, status: 401 });
    const lenient = await serve({}, { queryToken: 'access_token' });
    const result = await connect(`${lenient.url}?access_token=${token}`);
    opened(result);
    expect(result.ok && result.first).toMatchObject({ subject: 'query-user' });
  });

  it('refuses a malformed carrier and a carrier next to a header with 400', async () => {
    const { url } = await serve();
    const token = await issuer.sign();
    const malformed = await connect(url, { protocols: ['gatehouse.v1', 'gatehouse.bearer.not+base64'] });
    expect(malformed).toMatchObject({ ok: false, status: 400 });
    const twice = await connect(url, {
      protocols: ['gatehouse.v1', bearerProtocol(token)],
      headers: { authorization: `Bearer ${token}` },
    });
    expect(twice).toMatchObject({ ok: false, status: 400, body: { error: 'invalid_request' } });
  });

  it('applies the policy: 403 insufficient_scope with the scope, 403 for a non-admin', async () => {
    const scoped = await serve({}, { policy: { scopes: ['telemetry:read'] } });
    const token = await issuer.sign({ scope: 'other' });
    const result = await connect(scoped.url, { headers: { authorization: `Bearer ${token}` } });
    expect(result).toMatchObject({ ok: false, status: 403, body: { error: 'insufficient_scope' } });
    if (!result.ok) expect(result.headers['www-authenticate']).toContain('scope="telemetry:read"');
    const granted = await issuer.sign({ scope: 'telemetry:read' });
    opened(await connect(scoped.url, { headers: { authorization: `Bearer ${granted}` } }));
    const admins = await serve({ admins: ['root'] }, { policy: { admin: true } });
    expect(await connect(admins.url, { headers: { authorization: `Bearer ${token}` } })).toMatchObject({
      ok: false,
      status: 403,
    });
  });

  it('refuses with 429 and the RateLimit headers over the identity rate limit', async () => {
    const { url } = await serve({ rateLimit: { requests: 1, windowSecs: 60 } });
    const token = await issuer.sign({ sub: 'busy' });
    opened(await connect(url, { headers: { authorization: `Bearer ${token}` } }));
    const result = await connect(url, { headers: { authorization: `Bearer ${token}` } });
    expect(result).toMatchObject({ ok: false, status: 429, body: { error: 'rate_limited' } });
    if (!result.ok) {
      expect(Number(result.headers['retry-after'])).toBeGreaterThan(0);
      expect(result.headers['ratelimit-policy']).toBe('"default";q=1;w=60');
    }
  });

  it('refuses with 503 and Retry-After while the issuer cannot be reached', async () => {
    const { url } = await serve();
    const token = await issuer.sign();
    issuer.behaviour = 'error';
    try {
      const result = await connect(url, { headers: { authorization: `Bearer ${token}` } });
      expect(result).toMatchObject({ ok: false, status: 503 });
      if (!result.ok) expect(Number(result.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      issuer.behaviour = 'ok';
    }
  });

  it('answers 404 on paths it does not serve when it is the only upgrade listener', async () => {
    const { url } = await serve();
    const result = await connect(url.replace('/v1/stream', '/elsewhere'), {
      headers: { authorization: `Bearer ${API_KEY.key}` },
    });
    expect(result).toMatchObject({ ok: false, status: 404 });
  });
});

describe('connections end when their credentials end', () => {
  it('closes the covered sockets with 4001 "revoked" within 1 s of a revocation (jti, subject, API key), and only those', async () => {
    const { url, gate } = await serve();
    const jtiToken = await issuer.sign({ sub: 'alice', jti: 'jti-1' });
    const subjectToken = await issuer.sign({ sub: 'bob', iat: Math.floor(Date.now() / 1000) - 5 });
    const bystander = await issuer.sign({ sub: 'carol', jti: 'jti-2' });
    const byJti = opened(await connect(url, { headers: { authorization: `Bearer ${jtiToken}` } }));
    const bySubject = opened(await connect(url, { headers: { authorization: `Bearer ${subjectToken}` } }));
    const byKey = opened(await connect(url, { headers: { authorization: `Bearer ${API_KEY.key}` } }));
    const untouched = opened(await connect(url, { headers: { authorization: `Bearer ${bystander}` } }));

    const start = Date.now();
    const ends = [closed(byJti, start), closed(bySubject, start), closed(byKey, start)];
    await gate.revocations.revoke({ jti: 'jti-1', issuer: issuer.issuer });
    await gate.revocations.revoke({ subject: 'bob', issuer: issuer.issuer });
    await gate.revocations.revoke({ apiKey: API_KEY.name });
    for (const end of await Promise.all(ends)) {
      expect(end).toMatchObject({ code: 4001, reason: 'revoked' });
      expect(end.afterMs).toBeLessThan(1000);
    }
    expect(untouched.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a socket with 4001 "expired" once its token expires (with no grace: not before exp, within 1 s after)', async () => {
    const { url } = await serve({ oidc: oidcOf(issuer, 0) });
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await issuer.sign({ sub: 'short', exp });
    const ws = opened(await connect(url, { headers: { authorization: `Bearer ${token}` } }));
    const end = await closed(ws);
    expect(end).toMatchObject({ code: 4001, reason: 'expired' });
    const at = Date.now();
    expect(at).toBeGreaterThanOrEqual(exp * 1000);
    expect(at).toBeLessThan(exp * 1000 + 1000);
  });

  it('waits the clock tolerance past exp by default, as a new handshake would still pass', async () => {
    const { url } = await serve();
    // Expired 58 s ago: inside the 60 s tolerance, so accepted, and closed about 2 s from now.
    const exp = Math.floor(Date.now() / 1000) - 58;
    const token = await issuer.sign({ sub: 'tolerated', iat: exp - 60, exp });
    const ws = opened(await connect(url, { headers: { authorization: `Bearer ${token}` } }));
    const end = await closed(ws);
    expect(end).toMatchObject({ code: 4001, reason: 'expired' });
    expect(Date.now()).toBeGreaterThanOrEqual((exp + 60) * 1000);
  });

  it('re-authenticates in band where opted in: same identity, later expiry, the message never reaches the app', async () => {
    const { url, received } = await serve({ oidc: oidcOf(issuer, 0) }, { reauthentication: true });
    const now = Math.floor(Date.now() / 1000);
    const first = await issuer.sign({ sub: 'dana', exp: now + 2 });
    const ws = opened(await connect(url, { headers: { authorization: `Bearer ${first}` } }));
    const renewed = await issuer.sign({ sub: 'dana', exp: now + 120 });
    ws.send(JSON.stringify({ type: 'reauthenticate', token: renewed }));
    expect(await nextMessage(ws)).toEqual({ type: 'reauthenticated', expiresAt: now + 120 });

    const someoneElse = await issuer.sign({ sub: 'eve', exp: now + 120 });
    ws.send(JSON.stringify({ type: 'reauthenticate', token: someoneElse }));
    expect(await nextMessage(ws)).toMatchObject({
      type: 'reauthentication_failed',
      error: 'invalid_request',
    });
    ws.send(JSON.stringify({ type: 'reauthenticate', token: 'not-a-token' }));
    expect(await nextMessage(ws)).toMatchObject({ type: 'reauthentication_failed', error: 'invalid_token' });

    ws.send('hello app');
    await new Promise((resolve) => setTimeout(resolve, 2600));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(received).toEqual(['hello app']);
  });

  it('passes reauthenticate messages to the application where the transport did not opt in', async () => {
    const { url, received } = await serve();
    const ws = opened(await connect(url, { headers: { authorization: `Bearer ${API_KEY.key}` } }));
    const message = JSON.stringify({ type: 'reauthenticate', token: API_KEY.key });
    ws.send(message);
    await expect.poll(() => received).toEqual([message]);
  });

  it('counts open sockets by transport and closes by cause', async () => {
    const meter = new TestMeter();
    cleanups.push(() => meter.shutdown());
    const { url, gate } = await serve({ observability: { meterProvider: meter.meterProvider } });
    const token = await issuer.sign({ sub: 'frank', iat: Math.floor(Date.now() / 1000) - 5 });
    const a = opened(await connect(url, { headers: { authorization: `Bearer ${token}` } }));
    opened(await connect(url, { headers: { authorization: `Bearer ${API_KEY.key}` } }));
    expect(await meter.value(METRIC_NAMES.connectionsOpen, { transport: 'websocket' })).toBe(2);
    const end = closed(a);
    await gate.revocations.revoke({ subject: 'frank', issuer: issuer.issuer });
    await end;
    const b = opened(await connect(url, { headers: { authorization: `Bearer ${API_KEY.key}` } }));
    b.close();
    await closed(b);
    await expect
      .poll(() =>
        meter.value(METRIC_NAMES.connectionsClosedTotal, { transport: 'websocket', cause: 'ended' }),
      )
      .toBe(1);
    expect(
      await meter.value(METRIC_NAMES.connectionsClosedTotal, { transport: 'websocket', cause: 'revoked' }),
    ).toBe(1);
    expect(await meter.value(METRIC_NAMES.connectionsOpen, { transport: 'websocket' })).toBe(1);
  });

  it('renders the connection metrics in the Prometheus text of /metrics', async () => {
    const { url, gate } = await serve();
    const ws = opened(await connect(url, { headers: { authorization: `Bearer ${API_KEY.key}` } }));
    expect(prometheusText(gate.metrics)).toContain('gatehouse_connections_open{transport="websocket"} 1');
    const end = closed(ws);
    await gate.revocations.revoke({ apiKey: API_KEY.name });
    await end;
    const text = prometheusText(gate.metrics);
    expect(text).toContain('# TYPE gatehouse_connections_open gauge');
    expect(text).toContain('gatehouse_connections_open{transport="websocket"} 0');
    expect(text).toContain('# TYPE gatehouse_connections_closed_total counter');
    expect(text).toContain('gatehouse_connections_closed_total{transport="websocket",cause="revoked"} 1');
  });

  it('closes every socket with 1001 "shutdown" when the gate closes', async () => {
    const { url, gate } = await serve();
    const token = await issuer.sign({ sub: 'gina' });
    const a = opened(await connect(url, { headers: { authorization: `Bearer ${token}` } }));
    const b = opened(await connect(url, { headers: { authorization: `Bearer ${API_KEY.key}` } }));
    const ends = [closed(a), closed(b)];
    expect(gate.connections.size).toBe(2);
    await gate.close();
    for (const end of await Promise.all(ends)) expect(end).toMatchObject({ code: 1001, reason: 'shutdown' });
    expect(gate.connections.size).toBe(0);
  });
});
