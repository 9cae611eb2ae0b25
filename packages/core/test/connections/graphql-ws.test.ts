import { createRequire } from 'node:module';
import { type Client, createClient } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  type AuthContext,
  type GatehouseOptions,
  type GraphqlWsGateOptions,
  graphqlWsGate,
  webSocketGate,
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

// graphql-ws runs outside the test transform and loads graphql's CommonJS build (graphql 16 has no
// "exports"); the schema must come from that same copy, not from the ES module vite would pick.
const { GraphQLObjectType, GraphQLSchema, GraphQLString } = createRequire(import.meta.url)(
  'graphql',
) as typeof import('graphql');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A subscription that streams the subscriber's own subject, read from the context the gate filled.
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: { ping: { type: GraphQLString, resolve: () => 'pong' } },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      whoami: {
        type: GraphQLString,
        subscribe: async function* (_root: unknown, _args: unknown, context: { auth: AuthContext }) {
          for (;;) {
            yield { whoami: context.auth.subject };
            await sleep(50);
          }
        },
      },
    },
  }),
});

async function serve(
  gateOptions: GatehouseOptions = {},
  bindOptions: GraphqlWsGateOptions = {},
  upgrade = false,
) {
  const gate = gateFor(issuer, gateOptions);
  const http = await startServer();
  const wss = new WebSocketServer(upgrade ? { noServer: true } : { server: http.server, path: '/graphql' });
  if (upgrade) webSocketGate(gate, { server: wss, path: '/graphql', welcome: false }).attach(http.server);
  const guard = graphqlWsGate(gate, bindOptions);
  const disposable = useServer(
    { schema, onConnect: guard.onConnect, context: (ctx) => ({ auth: guard.auth(ctx) }) },
    wss,
  );
  cleanups.push(async () => {
    await disposable.dispose();
    await http.close();
    gate.close();
  });
  return { url: `${http.url}/graphql`, gate };
}

interface Run {
  client: Client;
  /** The first value, or the close event that ended the connection first. */
  first: Promise<{ value?: string; code?: number; reason?: string }>;
  /** How the connection closed. */
  closed: Promise<{ code: number; reason: string }>;
}

function subscribe(url: string, authorization?: string, webSocketImpl: unknown = WebSocket): Run {
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    onClosed = resolve;
  });
  const client = createClient({
    url,
    webSocketImpl,
    retryAttempts: 0,
    connectionParams: authorization === undefined ? undefined : { authorization },
    on: { closed: (event) => onClosed(event as { code: number; reason: string }) },
  });
  cleanups.push(() => client.dispose());
  const first = new Promise<{ value?: string; code?: number; reason?: string }>((resolve) => {
    client.subscribe<{ whoami: string }>(
      { query: 'subscription { whoami }' },
      {
        next: (result) => resolve({ value: result.data?.whoami }),
        error: (err) => resolve(err as { code: number; reason: string }),
        complete: () => undefined,
      },
    );
    void closed.then(resolve);
  });
  return { client, first, closed };
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

  it('keeps the identity of a socket whose upgrade the WebSocket gate already authenticated', async () => {
    const { url } = await serve({}, {}, true);
    const token = await issuer.sign({ sub: 'dave' });
    class WithHeader extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { authorization: `Bearer ${token}` } });
      }
    }
    expect((await subscribe(url, undefined, WithHeader).first).value).toBe('dave');
    // Without credentials the upgrade itself is refused: the client sees the socket fail to open.
    const refused = await subscribe(url).closed;
    expect(refused.code).not.toBe(1000);
  });
});
