import { useServer } from 'graphql-ws/use/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  type GatehouseOptions,
  type GraphqlWsGateOptions,
  graphqlWsGate,
  webSocketGate,
} from '../../src/index.js';
import type { KeyServer } from '../helpers/key-server.js';
import { API_KEY, gateFor, oidcOf, startIssuer, startServer } from './fixture.js';
import { graphqlServerOptions, subscribeWhoami } from './graphql-fixture.js';

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

async function serve(
  gateOptions: GatehouseOptions = {},
  bindOptions: GraphqlWsGateOptions = {},
  upgrade = false,
) {
  const gate = gateFor(issuer, gateOptions);
  const http = await startServer();
  const wss = new WebSocketServer(upgrade ? { noServer: true } : { server: http.server, path: '/graphql' });
  if (upgrade) webSocketGate(gate, { server: wss, path: '/graphql' }).attach(http.server);
  const disposable = useServer(graphqlServerOptions(graphqlWsGate(gate, bindOptions)), wss);
  cleanups.push(async () => {
    await disposable.dispose();
    await http.close();
    gate.close();
  });
  return { url: `${http.url}/graphql`, gate };
}

function subscribe(url: string, authorization?: string, headers?: Record<string, string>) {
  const run = subscribeWhoami(url, { authorization, headers });
  cleanups.push(run.dispose);
  return run;
}

describe('GraphQL over WebSocket (graphql-ws server and client)', () => {
  it('authenticates connectionParams.authorization and gives the identity to the subscription context', async () => {
    const { url } = await serve();
    const token = await issuer.sign({ sub: 'alice' });
    expect((await subscribe(url, `Bearer ${token}`).first).value).toBe('alice');
    expect((await subscribe(url, API_KEY.key).first).value).toBe(API_KEY.name);
  });

  it('closes a refused connection_init with the graphql-ws code of the status and the error code as reason', async () => {
    const { url } = await serve({}, { policy: { scopes: ['telemetry:read'] } });
    expect(await subscribe(url).closed).toMatchObject({ code: 4401, reason: 'missing_credentials' });
    expect(await subscribe(url, 'Bearer not.a.token').closed).toMatchObject({
      code: 4401,
      reason: 'invalid_token',
    });
    const unscoped = await issuer.sign({ scope: 'other' });
    expect(await subscribe(url, unscoped).closed).toMatchObject({ code: 4403, reason: 'insufficient_scope' });
  });

  it('closes a live subscription with 4001 "revoked" within 1 s of the revocation', async () => {
    const { url, gate } = await serve();
    const run = subscribe(url, await issuer.sign({ sub: 'bob', jti: 'gql-1' }));
    expect((await run.first).value).toBe('bob');
    const start = Date.now();
    await gate.revocations.revoke({ jti: 'gql-1', issuer: issuer.issuer });
    expect(await run.closed).toMatchObject({ code: 4001, reason: 'revoked' });
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('closes at expiry with 4001 "expired"', async () => {
    const { url } = await serve({ oidc: oidcOf(issuer, 0) });
    const exp = Math.floor(Date.now() / 1000) + 2;
    const run = subscribe(url, await issuer.sign({ sub: 'carol', exp }));
    expect((await run.first).value).toBe('carol');
    expect(await run.closed).toMatchObject({ code: 4001, reason: 'expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });

  it('keeps the identity of a socket whose upgrade the WebSocket gate already authenticated (and sends it no welcome)', async () => {
    const { url } = await serve({}, {}, true);
    const token = await issuer.sign({ sub: 'dave' });
    const headers = { authorization: `Bearer ${token}` };
    expect((await subscribe(url, undefined, headers).first).value).toBe('dave');
    // Without credentials the upgrade itself is refused: the client sees the socket fail to open.
    const refused = await subscribe(url).closed;
    expect(refused.code).not.toBe(1000);
  });
});
