import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findRedisServer, RedisCluster, RedisServer } from '@gatehouse/testkit';
import { AUDIENCE, type ServerConfig } from './fixture.js';
import { KeyServer } from './key-server.js';
import { type ColdStartResult, coldStart } from './parts/cold-start.js';
import { measureConnections } from './parts/connections.js';
import { runLoadPhase } from './parts/load-phase.js';
import { binaryOf, canPin, DIST, spawnNode } from './parts/processes.js';
import { measurePropagation } from './parts/propagation.js';
import { type RunResults, renderReport } from './parts/report.js';
import { SCENARIOS } from './parts/scenarios.js';
import { API_KEY_NAME, createKeys, createMaterial } from './parts/tokens.js';
import { measureTopologies } from './parts/topologies.js';
import { VARIANTS, variant } from './variants.js';

const MODES = {
  quick: {
    rounds: 3,
    durationSecs: 2,
    warmupSecs: 1,
    connections: 16,
    coldTokens: 10_000,
    memoryTokens: 25_000,
    revocations: 300,
    handshakes: 2000,
    closes: 100,
    burst: 1000,
    topologyRevocations: 150,
    overshootTrials: 12,
  },
  full: {
    rounds: 5,
    durationSecs: 4,
    warmupSecs: 2,
    connections: 16,
    coldTokens: 20_000,
    memoryTokens: 100_000,
    revocations: 1000,
    handshakes: 5000,
    closes: 300,
    burst: 1000,
    topologyRevocations: 400,
    overshootTrials: 30,
  },
};

const USAGE = `npm run bench [-- options]
  --full               publishing mode (more rounds, longer, every scenario, 100,000 tokens for memory)
  --scenarios=a,b      only these scenarios (${SCENARIOS.map((s) => s.name).join(', ')})
  --variants=a,b       only these variants (${VARIANTS.map((v) => v.name).join(', ')})
  --rounds=N --duration=SECS   override the mode's rounds and seconds per round
  (shared, propagation: the cost of state on Redis and revocation propagation; need redis-server;
   topologies: propagation and rate-limit overshoot on one server, a 3+3 cluster and across failovers;
   needs redis-cli too)
  (connections: WebSocket handshakes through the gate, close latency after a revocation)
  --skip=load,coldstart,memory,micro,dpop,authz,shared,propagation,topologies,connections   leave parts out`;

const log = (message: string) => process.stderr.write(`${message}\n`);

/** Runs a bench script in its own process pinned to core 0 and parses the JSON line it prints. */
function runChild<T>(args: readonly string[]): Promise<T> {
  const child = spawnNode(0, args);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${args.join(' ')} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
    });
  });
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function machine(): Record<string, string> {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  return {
    CPU: `${model} × ${cpus().length} cores`,
    Node: process.version,
    kernel: release(),
    pinning: canPin()
      ? 'servers on core 0, load generator on core 1 (taskset)'
      : 'none (taskset unavailable)',
    'load average at start': loadAverage(),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      variants: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      skip: { type: 'string', default: '' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    log(USAGE);
    return;
  }
  const mode = values.full ? 'full' : 'quick';
  const base = MODES[mode];
  const settings = {
    ...base,
    rounds: values.rounds ? Number(values.rounds) : base.rounds,
    durationSecs: values.duration ? Number(values.duration) : base.durationSecs,
  };
  const skip = new Set(values.skip.split(',').filter(Boolean));
  // The shared-state variants and parts run on a redis-server of their own, when one is installed.
  const redisBin = findRedisServer();
  if (redisBin === undefined)
    log('redis-server is not installed: the shared-state variants and parts are left out');
  const missingRuntimes = new Set(
    VARIANTS.filter((v) => binaryOf(v.name) === undefined).map((v) => v.runtime),
  );
  for (const runtime of missingRuntimes) log(`${runtime} is not installed: its variants are left out`);
  const runnable = (name: string) =>
    (redisBin !== undefined || !variant(name).redis) && binaryOf(name) !== undefined;
  const onlyScenarios = values.scenarios?.split(',');
  const onlyVariants = values.variants?.split(',');
  const scenarios = SCENARIOS.filter((s) =>
    onlyScenarios ? onlyScenarios.includes(s.name) : !s.fullOnly || values.full,
  ).map((s) => ({
    ...s,
    // Diagnostic variants (an empty middleware, a second identical process) run only when named.
    variants: s.variants
      .filter((v) => (onlyVariants ? onlyVariants.includes(v) : !variant(v).extra))
      .filter(runnable),
  }));

  const resultsDir = join(DIST, '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const results: { -readonly [K in keyof RunResults]: RunResults[K] } = {
    mode,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: machine(),
    settings,
  };
  log(`${results.command}\n${Object.values(results.machine).join('\n')}`);

  const keys = await createKeys();
  const keyServer = await KeyServer.start([keys.rs.publicJwk, keys.es.publicJwk]);
  const redis = redisBin === undefined ? undefined : await RedisServer.start({ bin: redisBin });
  // The cluster parts need redis-cli as well (it joins the nodes).
  const cluster =
    redis === undefined || findRedisServer('redis-cli') === undefined || skip.has('topologies')
      ? undefined
      : await RedisCluster.start();
  try {
    let started = Date.now();
    const material = await createMaterial(keys, keyServer.issuer, settings.coldTokens, resultsDir);
    log(`signed ${settings.coldTokens * 2} cold tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const config: ServerConfig = {
      issuer: keyServer.issuer,
      audience: AUDIENCE,
      jwksUri: keyServer.jwksUri,
      apiKeyName: API_KEY_NAME,
      apiKey: material.apiKey,
      redisUrl: redis?.url,
    };
    if (!skip.has('load')) {
      log('\nload: correctness checks, then timed rounds');
      started = Date.now();
      results.load = await runLoadPhase(scenarios, settings, config, material.headerFiles, material.checks);
      log(`load phase took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    if (!skip.has('coldstart')) {
      log('\ncold start: 500 concurrent requests on a fresh server');
      const rows: ColdStartResult[] = [];
      const fetching = VARIANTS.filter(
        (v) => (v.kind === 'gatehouse' || v.kind === 'peer') && !v.extra && !v.authz && runnable(v.name),
      )
        .map((v) => v.name)
        .filter((name) => !onlyVariants || onlyVariants.includes(name));
      for (const name of fetching) {
        const r = await coldStart(name, config, keyServer, material.coldRs);
        rows.push(r);
        log(
          `  ${name.padEnd(20)} discovery ${r.discoveryFetches}, jwks ${r.jwksFetches}, ${JSON.stringify(r.statuses)}`,
        );
      }
      results.coldStart = rows;
    }
    if (redis !== undefined && !skip.has('shared')) {
      log('\nshared state on the hot path: Redis, revocations, rate limits (mitata)');
      const urls = cluster === undefined ? [redis.url] : [redis.url, cluster.url];
      results.sharedState = await runChild([`${DIST}parts/shared-state.js`, ...urls]);
    }
    if (redis !== undefined && !skip.has('propagation')) {
      log(`\nrevocation propagation: ${settings.revocations} revocations, three instances on one Redis`);
      results.propagation = await measurePropagation(redis.url, settings.revocations);
      const { revoke, lift } = results.propagation;
      log(
        `  revoke p50 ${revoke.p50Ms.toFixed(2)} ms, p99 ${revoke.p99Ms.toFixed(2)} ms; lift p50 ${lift.p50Ms.toFixed(2)} ms`,
      );
    }
    if (!skip.has('connections')) {
      log(`\nlong-lived connections: ${settings.handshakes} handshakes per row, ${settings.closes} closes`);
      results.connections = await measureConnections({
        config,
        key: keys.rs,
        coldTokens: material.coldRs,
        handshakes: settings.handshakes,
        closes: settings.closes,
        burst: settings.burst,
      });
      for (const r of results.connections.handshakes)
        log(`  ${r.name.padEnd(48)} ${r.perSec.toFixed(0)}/s, p50 ${r.p50Ms.toFixed(2)} ms`);
      for (const r of results.connections.closes)
        log(`  ${r.name}: p50 ${r.p50Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(2)} ms`);
    }
    if (redis !== undefined && cluster !== undefined) {
      log('\nRedis topologies: propagation and rate-limit overshoot, one server, a cluster, failovers');
      results.topologies = await measureTopologies(
        redis.url,
        cluster,
        { revocations: settings.topologyRevocations, trials: settings.overshootTrials },
        log,
      );
    } else if (!skip.has('topologies')) log('\nredis-cli is not installed: the topology parts are left out');
  } finally {
    await keyServer.close();
    await cluster?.stop();
    await redis?.stop();
  }
  if (!skip.has('memory')) {
    log(`\nmemory: ${settings.memoryTokens} distinct tokens through one provider`);
    results.memory = await runChild(['--expose-gc', `${DIST}parts/memory.js`, String(settings.memoryTokens)]);
  }
  if (!skip.has('micro')) {
    log('\nmicro-benchmarks (mitata)');
    results.micro = await runChild([`${DIST}parts/micro.js`]);
  }
  if (!skip.has('dpop')) {
    log('\nDPoP next to bearer and to express-oauth2-jwt-bearer (mitata)');
    results.dpop = await runChild([`${DIST}parts/dpop.js`]);
  }
  if (!skip.has('authz')) {
    log(
      '\nauthorization: an allow through each backend, cached and uncached, next to a scopes-only requirement (mitata)',
    );
    results.authz = await runChild([`${DIST}parts/authz.js`]);
  }
  results.machine['load average at end'] = loadAverage();

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `${mode}-${stamp}.json`), JSON.stringify(results, null, 2));
  const report = renderReport(results);
  writeFileSync(join(resultsDir, `${mode}-latest.md`), report);
  process.stdout.write(report);
  log(`\nwrote bench/results/${mode}-latest.md and ${mode}-${stamp}.json`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
