/**
 * What shared state costs a request (issue 11), in one process on one core (mitata): the hot path with
 * the state on Redis and a few revocations in force next to the in-process default, and the rate
 * limiter (leased quota) on Redis and in process; with a cluster URL too, the same on a Redis Cluster
 * (issue 23: the hot path does not wait on it either).
 * `node dist/parts/shared-state.js <redis url> [<redis+cluster url>]`.
 */
import {
  authorizationHeader,
  createGatehouse,
  type Gatehouse,
  type GatehouseOptions,
  NodeRequestView,
} from '@gatehouse/core';
import { MemoryState } from '@gatehouse/core/state';
import { createRedisState } from '@gatehouse/redis';
import { bench, do_not_optimize, group } from 'mitata';
import { AUDIENCE, claims, createApiKey, createSigningKey, sign } from '../fixture.js';
import { KeyServer } from '../key-server.js';
import { BENCH_RATE_LIMIT, benchRevocations } from '../servers/shared-state.js';
import { runMitata } from './mitata-rows.js';
import { API_KEY_NAME } from './tokens.js';

const rawHeaders = (authorization: string) => [
  'Host',
  '127.0.0.1:3000',
  'Accept',
  'application/json',
  'Authorization',
  authorization,
  'Connection',
  'keep-alive',
];

async function main(): Promise<void> {
  const [redisUrl, clusterUrl] = process.argv.slice(2);
  if (redisUrl === undefined) throw new Error('usage: shared-state.js <redis url> [<cluster url>]');
  const key = await createSigningKey('RS256');
  const keyServer = await KeyServer.start([key.publicJwk]);
  const issuer = keyServer.issuer;
  const token = await sign(key, claims(issuer, 1));
  const apiKey = createApiKey();
  const credentials = {
    apiKeys: [{ name: API_KEY_NAME, key: apiKey }],
    oidc: { issuers: [{ issuer, audience: AUDIENCE }] },
    env: false as const,
  };

  const revocationState = createRedisState({ url: redisUrl });
  const limitState = createRedisState({ url: `${redisUrl}/1` });
  // A cluster has one database: the limiter's state gets a prefix of its own instead.
  const clusterState = clusterUrl ? createRedisState({ url: clusterUrl }) : undefined;
  const clusterLimitState = clusterUrl
    ? createRedisState({ url: clusterUrl, keyPrefix: 'limits:' })
    : undefined;
  const states = [revocationState, limitState, clusterState, clusterLimitState].filter(
    (s) => s !== undefined,
  );
  await Promise.all(states.map((s) => s.ready(15_000)));
  for (const revocation of benchRevocations(issuer)) {
    await revocationState.revocations.store(revocation);
    await clusterState?.revocations.store(revocation);
  }

  const gates: Record<string, Gatehouse> = {};
  const build = (name: string, options: GatehouseOptions) => {
    gates[name] = createGatehouse({ ...credentials, ...options });
  };
  build('memory', { state: new MemoryState() });
  build('revocation', { state: revocationState });
  build('limit-memory', { state: new MemoryState(), rateLimit: BENCH_RATE_LIMIT });
  build('limit-redis', { state: limitState, rateLimit: BENCH_RATE_LIMIT });
  if (clusterState && clusterLimitState) {
    build('revocation-cluster', { state: clusterState });
    build('limit-cluster', { state: clusterLimitState, rateLimit: BENCH_RATE_LIMIT });
  }

  const tokenHeaders = rawHeaders(`Bearer ${token}`);
  const keyHeaders = rawHeaders(`Bearer ${apiKey}`);
  // Warm every gate: keys fetched, the token cached (at its second verification), a first lease taken.
  for (const gate of Object.values(gates)) {
    for (let i = 0; i < 64; i++) {
      await gate.authenticate(authorizationHeader(tokenHeaders));
      await gate.authenticate(authorizationHeader(keyHeaders));
    }
  }
  const route = gates.memory!.route();
  const decide = (name: string, headers: string[]) => {
    const decision = gates[name]!.handle(new NodeRequestView({ rawHeaders: headers, url: '/' }), route);
    // A lease on its way may make a request wait (the first burst of a window): count that too.
    if (!(decision instanceof Promise)) do_not_optimize(decision);
    return decision;
  };
  for (const name of Object.keys(gates)) {
    const decision = await decide(name, tokenHeaders);
    if (!decision.admitted) throw new Error(`${name}: the bench token was refused`);
  }

  group('shared state on the hot path (cache hit, gate.handle)', () => {
    bench('in-process state, no revocations (the default)', () => decide('memory', tokenHeaders));
    bench('state on Redis, 5 revocations in force', () => decide('revocation', tokenHeaders));
    bench('rate limit, in-process state', () => decide('limit-memory', tokenHeaders));
    bench('rate limit on Redis (leased quota)', () => decide('limit-redis', tokenHeaders));
    if (gates['revocation-cluster']) {
      bench('state on a Redis Cluster, 5 revocations in force', () =>
        decide('revocation-cluster', tokenHeaders),
      );
      bench('rate limit on a Redis Cluster (leased quota)', () => decide('limit-cluster', tokenHeaders));
    }
  });
  group('shared state, API key (gate.handle)', () => {
    bench('API key, in-process state, no revocations', () => decide('memory', keyHeaders));
    bench('API key, state on Redis, 5 revocations in force', () => decide('revocation', keyHeaders));
    bench('API key, rate limit on Redis (leased quota)', () => decide('limit-redis', keyHeaders));
  });

  // Whether a decision ever waits on Redis: how many of 100,000 come back as a promise, per gate.
  const waited: { name: string; waited: number; of: number }[] = [];
  for (const [name, headers] of [
    ...Object.keys(gates).map((n) => [n, tokenHeaders] as const),
    ...Object.keys(gates).map((n) => [`${n} (API key)`, keyHeaders] as const),
  ]) {
    let promises = 0;
    for (let i = 0; i < 100_000; i++) {
      const decision = decide(name.replace(' (API key)', ''), headers);
      if (decision instanceof Promise) {
        promises++;
        await decision;
      }
      if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    waited.push({ name, waited: promises, of: 100_000 });
  }

  const { rows } = await runMitata();
  await Promise.all([...states.map((s) => s.close()), keyServer.close()]);
  process.stdout.write(`${JSON.stringify({ rows, waited })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
