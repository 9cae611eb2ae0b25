import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatehouse, NodeRequestView, OidcAuthProvider, type SharedState } from '@gatehouse/core';
import { MemoryState } from '@gatehouse/core/state';
import { createRedisState } from '@gatehouse/redis';
import {
  type Alg,
  AUDIENCE,
  claims,
  createApiKey,
  keysFromFile,
  type ServerConfig,
  type SigningKey,
  sign,
  signMany,
} from '../fixture.js';
import { KeyServer } from '../key-server.js';
import { metricsOn } from '../servers/common.js';
import { createFloorVerifier } from '../servers/floor.js';
import { serveVariant } from '../servers/serve.js';
import { BENCH_RATE_LIMIT, benchRevocations } from '../servers/shared-state.js';

/**
 * One workload repeated `n` times in this process, for instruction counts (see count.ts):
 * - `pipeline:<hot|apikey|cold|invalid>[:ES256]`: gate.authenticate() from raw headers (keys + OIDC);
 *   `pipeline-otel:…`: the same, recording into an OpenTelemetry SDK (metrics on);
 *   `pipeline-state:…`: the same with five revocations in force and a rate limit, on the shared state
 *   `BENCH_REDIS_URL` names (any topology: one server, `redis+cluster://`, `redis+sentinel://`), else in
 *   process: the hot path must count the same either way (it never waits on Redis);
 * - `verify:<RS256|ES256>`: OidcAuthProvider with its cache off; `floor:<RS256|ES256>`: the reference;
 * - `http:<variant>:<hot|apikey|cold|invalid>`: whole requests to a variant served in this process,
 *   sent one after another on one keep-alive connection.
 */
async function main(): Promise<void> {
  const [name = 'pipeline:hot', count = '1000'] = process.argv.slice(2);
  const n = Number(count);
  // <kind>:<part>[:<scenario>], e.g. http:gatehouse-koa:hot, pipeline:cold:ES256, verify:RS256.
  const [kind, part, scenario] = name.split(':');
  const alg = (/(RS256|ES256|EdDSA)/.exec(name)?.[1] ?? 'RS256') as Alg;
  const [rs, es] = (await keysFromFile(
    process.env.BENCH_KEYS_FILE ?? join(tmpdir(), 'gatehouse-bench-keys.json'),
    ['RS256', 'ES256'],
  )) as [SigningKey, SigningKey];
  if (name === 'keys') return; // only makes sure the key file exists
  const keyServer = await KeyServer.start([rs.publicJwk, es.publicJwk]);
  const key = alg === 'ES256' ? es : rs;
  const issuer = keyServer.issuer;
  const issuers = [{ issuer, audience: AUDIENCE }];
  const slow = { httpTimeoutMs: 120_000 }; // valgrind is slow: never time out the key fetch
  const apiKey = createApiKey();
  const token = await sign(key, claims(issuer, 1));
  // 20,000 distinct tokens, as in the load runs: more than the cache (1000) and its admission filter hold.
  const distinct = /cold|invalid/.test(name) ? await signMany(key, issuer, 20_000, 10) : [token];
  if (name.includes('invalid')) {
    for (let i = 0; i < distinct.length; i++) distinct[i] = `${distinct[i]!.slice(0, -4)}AAAA`;
  }
  const config: ServerConfig = {
    issuer,
    audience: AUDIENCE,
    jwksUri: keyServer.jwksUri,
    apiKeyName: 'svc',
    apiKey,
  };

  const pick = (kind: string | undefined) => (i: number) =>
    kind === 'apikey' ? apiKey : kind === 'hot' ? token : distinct[i % distinct.length]!;
  let run: (i: number) => unknown;
  if (kind === 'http') {
    const { port } = (await serveVariant(part!, config)).address() as AddressInfo;
    const client = await httpClient(port);
    const value = pick(scenario);
    run = (i) => client(`Bearer ${value(i)}`);
  } else if (kind === 'pipeline' || kind === 'pipeline-otel' || kind === 'pipeline-state') {
    const state = kind === 'pipeline-state' ? await benchState(issuer) : undefined;
    const gate = createGatehouse({
      apiKeys: [{ name: 'svc', key: apiKey }],
      oidc: { issuers, ...slow },
      env: false,
      observability: kind === 'pipeline-otel' ? metricsOn() : undefined,
      ...(state ? { state, rateLimit: BENCH_RATE_LIMIT } : {}),
    });
    const value = pick(part);
    const raw = ['Host', 'x', 'User-Agent', 'y', 'Accept', '*/*', 'Authorization', ''];
    const request = { method: 'GET', url: '/v1/whoami', rawHeaders: raw };
    const route = gate.route({}, { publicPaths: true });
    // What every adapter runs per request: a view of the request, then the pipeline's decision.
    run = (i) => {
      raw[7] = `Bearer ${value(i)}`;
      return gate.handle(new NodeRequestView(request), route);
    };
  } else if (kind === 'verify') {
    const provider = new OidcAuthProvider({ issuers, tokenCacheSize: 0, ...slow });
    await provider.warmUp();
    run = () => provider.validateToken(token);
  } else if (kind === 'floor') {
    const floor = await createFloorVerifier(config);
    run = () => floor(`Bearer ${token}`);
  } else {
    throw new Error(`unknown workload ${name}`);
  }
  // Warm up long enough for the optimising compiler to finish, so that it is not counted.
  for (let i = 0; i < Math.max(10_000, 2 * n); i++) await run(i);
  // Under count.ts, callgrind counts only between "ready" and "done" (it is toggled from outside).
  await handshake('ready');
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await run(i);
  const elapsed = process.hrtime.bigint() - started;
  await handshake('done');
  // Wall time too, for quick A/B runs outside valgrind (noisy; instruction counts are not).
  process.stderr.write(`${name}: ${(Number(elapsed) / n / 1000).toFixed(1)} µs/op\n`);
  await keyServer.close();
  process.exit(0);
}

/** The state of `pipeline-state`: on the Redis `BENCH_REDIS_URL` names, else in process; revocations in force. */
async function benchState(issuer: string): Promise<SharedState> {
  const url = process.env.BENCH_REDIS_URL;
  const state = url ? createRedisState({ url, keyPrefix: `count-${process.pid}:` }) : new MemoryState();
  if (url && !(await (state as ReturnType<typeof createRedisState>).ready(60_000))) {
    throw new Error('BENCH_REDIS_URL is not reachable');
  }
  for (const revocation of benchRevocations(issuer)) await state.revocations.store(revocation);
  return state;
}

/** Prints `word` and, when stdin is a pipe (under count.ts), waits for a line back. */
async function handshake(word: string): Promise<void> {
  process.stdout.write(`${word}\n`);
  if (process.stdin.isTTY !== false && process.env.BENCH_HANDSHAKE !== '1') return;
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
  });
}

/** A sequential keep-alive client: sends one GET, resolves when the whole response has arrived. */
async function httpClient(port: number): Promise<(authorization: string) => Promise<void>> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let pending: (() => void) | undefined;
  let buffer = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    const end = buffer.indexOf('\r\n\r\n');
    if (end === -1) return;
    const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
    if (buffer.length >= end + 4 + length) {
      buffer = buffer.slice(end + 4 + length);
      pending?.();
    }
  });
  return (authorization) =>
    new Promise<void>((resolve) => {
      pending = resolve;
      socket.write(`GET /v1/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\n\r\n`);
    });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
