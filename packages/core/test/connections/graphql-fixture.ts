/**
 * The one GraphQL set-up of the graphql-ws tests (core's and every adapter's): a tiny schema whose
 * subscription streams the subscriber's own subject, read from the context the gate filled; the server
 * options that put a graphql-ws server behind a gate; and a real graphql-ws client that reports the first
 * value of a subscription, or how its connection closed.
 */
import { createRequire } from 'node:module';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { AuthContext, GraphqlWsContextLike, GraphqlWsGate } from '../../src/index.js';

// graphql-ws runs outside the test transform and loads graphql's CommonJS build (graphql 16 has no
// "exports"); the schema must come from that same copy, not from the ES module vite would pick.
const { GraphQLObjectType, GraphQLSchema, GraphQLString } = createRequire(import.meta.url)(
  'graphql',
) as typeof import('graphql');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `subscription { whoami }` streams the subject of the context's `auth`, every 50 ms. */
export const schema = new GraphQLSchema({
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

/**
 * The options of a graphql-ws server (`useServer` of `graphql-ws/use/ws`, `makeHandler` of
 * `graphql-ws/use/@fastify/websocket`) behind `guard` (`graphqlWsGate(gate)`), as
 * docs/long-lived-connections.md writes them.
 */
export function graphqlServerOptions(guard: GraphqlWsGate) {
  return {
    schema,
    onConnect: guard.onConnect,
    context: (ctx: GraphqlWsContextLike) => ({ auth: guard.auth(ctx) }),
  };
}

/** A subscription to `whoami` over a real graphql-ws client. */
export interface GraphqlRun {
  readonly client: Client;
  /** The first value, or the close event that ended the connection first. */
  readonly first: Promise<{ value?: string; code?: number; reason?: string }>;
  /** How the connection closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  dispose(): Promise<void>;
}

/**
 * Subscribes to `whoami` at `url`: `authorization` goes in `connectionParams`, `headers` on the upgrade
 * request (as a server-side client can send them; a browser cannot).
 */
export function subscribeWhoami(
  url: string,
  options: { authorization?: string; headers?: Record<string, string> } = {},
): GraphqlRun {
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    onClosed = resolve;
  });
  const { authorization, headers } = options;
  const client = createClient({
    url,
    webSocketImpl: headers === undefined ? WebSocket : withHeaders(headers),
    retryAttempts: 0,
    connectionParams: authorization === undefined ? undefined : { authorization },
    on: { closed: (event) => onClosed(event as { code: number; reason: string }) },
  });
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
  return { client, first, closed, dispose: async () => client.dispose() };
}

function withHeaders(
  headers: Record<string, string>,
): new (
  address: string,
  protocols?: string | string[],
) => WebSocket {
  return class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  };
}
