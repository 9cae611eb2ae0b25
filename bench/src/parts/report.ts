import { variant as lookup, VARIANTS } from '../variants.js';
import type { ColdStartResult } from './cold-start.js';
import type { ConnectionsResult } from './connections.js';
import { connectionsTables } from './connections-report.js';
import type { LoadPhaseResult, RoundResult, ScenarioResult } from './load-phase.js';
import type { MemoryResult } from './memory.js';
import type { PropagationResult, PropagationStats } from './propagation.js';
import { topologyTables } from './report-topologies.js';
import { baselineOf } from './scenarios.js';
import { fmt, median } from './stats.js';
import type { TopologyResults } from './topologies.js';

export interface MicroRow {
  readonly name: string;
  readonly avgNs?: number;
  readonly p50Ns?: number;
  readonly p99Ns?: number;
  readonly error?: string;
}

export interface RunResults {
  readonly mode: string;
  readonly command: string;
  readonly machine: Record<string, string>;
  readonly settings: Record<string, number>;
  readonly sharedState?: {
    rows: MicroRow[];
    /** Decisions that came back as a promise (waited on something), per gate. */
    waited?: { name: string; waited: number; of: number }[];
  };
  readonly propagation?: PropagationResult;
  readonly connections?: ConnectionsResult;
  readonly topologies?: TopologyResults;
  readonly load?: LoadPhaseResult;
  readonly coldStart?: ColdStartResult[];
  readonly memory?: MemoryResult;
  readonly micro?: { rows: MicroRow[] };
  readonly dpop?: { rows: MicroRow[] };
  readonly authz?: { rows: MicroRow[] };
}

const perCpu = (r: RoundResult) => (r.serverCpuSecs ? r.requests / r.serverCpuSecs : Number.NaN);

interface Summary {
  readonly rps: number;
  readonly cpuRate: number;
  readonly p50: number;
  readonly p99: number;
  readonly loadCpu: number;
  readonly unexpected: number;
}

function summarise(rounds: readonly RoundResult[]): Summary {
  return {
    rps: median(rounds.map((r) => r.rps)),
    cpuRate: median(rounds.map(perCpu)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    loadCpu: Math.max(...rounds.map((r) => r.loadCpu)),
    unexpected: rounds.reduce((sum, r) => sum + r.unexpected, 0),
  };
}

/** A variant is ranked only if it answered every correctness check and every timed request as expected. */
function flagged(load: LoadPhaseResult, result: ScenarioResult, name: string): string | undefined {
  if ((load.correctness[name]?.length ?? 0) > 0) return 'failed correctness checks';
  const unexpected = summarise(result.rounds[name] ?? []).unexpected;
  return unexpected > 0 ? `${unexpected} unexpected responses` : undefined;
}

/** Ratio of medians, plus the spread of the per-round ratios (each round pairs neighbours in time). */
function ratio(result: ScenarioResult, a: string, b: string) {
  const ra = result.rounds[a];
  const rb = result.rounds[b];
  if (!ra || !rb) return undefined;
  const perRound = ra.map((r, i) => r.rps / (rb[i]?.rps ?? Number.NaN));
  const sa = summarise(ra);
  const sb = summarise(rb);
  return {
    rps: sa.rps / sb.rps,
    cpu: sa.cpuRate / sb.cpuRate,
    min: Math.min(...perRound),
    max: Math.max(...perRound),
  };
}

function scenarioTable(load: LoadPhaseResult, result: ScenarioResult): string {
  const { scenario } = result;
  const lines = [
    `### ${scenario.title}`,
    '',
    '| variant | req/s (median) | × baseline | per-round × | req per server CPU-s | × baseline (CPU) | p50 ms | p99 ms | note |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const name of scenario.variants) {
    const rounds = result.rounds[name];
    if (!rounds || rounds.length === 0) continue;
    const s = summarise(rounds);
    const base = baselineOf(scenario.kind, lookup(name));
    const r = base ? ratio(result, name, base) : undefined;
    const flag = flagged(load, result, name);
    const notes = [
      flag ? `**flagged: ${flag}**` : '',
      s.loadCpu > 0.9 ? `load generator at ${fmt(s.loadCpu * 100)}% CPU` : '',
    ].filter(Boolean);
    lines.push(
      `| ${lookup(name).label} | ${fmt(s.rps)} | ${r ? `${fmt(r.rps, 2)} (vs ${base})` : '—'} | ${r ? `${fmt(r.min, 2)}–${fmt(r.max, 2)}` : ''} | ${fmt(s.cpuRate)} | ${r ? fmt(r.cpu, 2) : '—'} | ${fmt(s.p50, 1)} | ${fmt(s.p99, 1)} | ${notes.join('; ')} |`,
    );
  }
  return lines.join('\n');
}

interface Target {
  readonly what: string;
  readonly scenario: string;
  readonly a: string;
  readonly b: string | 'best-express-peer';
  readonly min: number;
}

const TARGETS: readonly Target[] = [
  // Issue 13: recording metrics (an SDK installed) costs at most 5 % of the hot path.
  ...['hot-rs256', 'hot-es256', 'apikey'].flatMap((scenario) => [
    {
      what: 'metrics on: Gatehouse Express with an OpenTelemetry SDK ≥ 0.95× without',
      scenario,
      a: 'gatehouse-express-otel',
      b: 'gatehouse-express',
      min: 0.95,
    },
    {
      what: 'metrics on: Gatehouse Koa with an OpenTelemetry SDK ≥ 0.95× without',
      scenario,
      a: 'gatehouse-koa-otel',
      b: 'gatehouse-koa',
      min: 0.95,
    },
  ]),
  ...['hot-rs256', 'hot-es256'].flatMap((scenario) => [
    {
      what: 'hot: Gatehouse Express ≥ 0.95× bare Express',
      scenario,
      a: 'gatehouse-express',
      b: 'express',
      min: 0.95,
    },
    { what: 'hot: Gatehouse Koa ≥ 0.95× bare Koa', scenario, a: 'gatehouse-koa', b: 'koa', min: 0.95 },
    { what: 'hot: Gatehouse NestJS ≥ 0.95× bare Nest', scenario, a: 'gatehouse-nest', b: 'nest', min: 0.95 },
    {
      what: 'hot: Gatehouse Fastify ≥ 0.95× bare Fastify',
      scenario,
      a: 'gatehouse-fastify',
      b: 'fastify',
      min: 0.95,
    },
  ]),
  ...['cold-rs256', 'cold-es256'].flatMap((scenario) => [
    {
      what: 'cold: Express ≥ 1.0× node:crypto floor',
      scenario,
      a: 'gatehouse-express',
      b: 'floor-express',
      min: 1,
    },
    { what: 'cold: Koa ≥ 1.0× node:crypto floor', scenario, a: 'gatehouse-koa', b: 'floor-koa', min: 1 },
    { what: 'cold: NestJS ≥ 1.0× node:crypto floor', scenario, a: 'gatehouse-nest', b: 'floor-nest', min: 1 },
    {
      what: 'cold: Express ≥ 1.2× best Express peer',
      scenario,
      a: 'gatehouse-express',
      b: 'best-express-peer',
      min: 1.2,
    },
    { what: 'cold: Koa ≥ 1.2× koa-jwt', scenario, a: 'gatehouse-koa', b: 'koa-jwt', min: 1.2 },
    {
      what: 'cold: Fastify ≥ 1.0× node:crypto floor',
      scenario,
      a: 'gatehouse-fastify',
      b: 'floor-fastify',
      min: 1,
    },
    {
      what: 'cold: Fastify ≥ 1.2× @fastify/jwt',
      scenario,
      a: 'gatehouse-fastify',
      b: 'fastify-jwt',
      min: 1.2,
    },
  ]),
  {
    what: 'API key: Express ≥ 0.97× bare',
    scenario: 'apikey',
    a: 'gatehouse-express',
    b: 'express',
    min: 0.97,
  },
  { what: 'API key: Koa ≥ 0.97× bare', scenario: 'apikey', a: 'gatehouse-koa', b: 'koa', min: 0.97 },
  { what: 'API key: NestJS ≥ 0.97× bare', scenario: 'apikey', a: 'gatehouse-nest', b: 'nest', min: 0.97 },
  {
    what: 'API key: Fastify ≥ 0.97× bare',
    scenario: 'apikey',
    a: 'gatehouse-fastify',
    b: 'fastify',
    min: 0.97,
  },
  // Issue 11: revocation enabled (state on Redis, revocations in force) costs at most 5 % of the hot path.
  ...['hot-rs256', 'hot-es256', 'apikey'].map((scenario) => ({
    what: 'revocation on: Gatehouse Express, Redis + 5 revocations ≥ 0.95× without',
    scenario,
    a: 'gatehouse-express-revocation',
    b: 'gatehouse-express',
    min: 0.95,
  })),
];

function bestExpressPeer(load: LoadPhaseResult, result: ScenarioResult): string | undefined {
  const peers = VARIANTS.filter((v) => v.kind === 'peer' && v.framework === 'express')
    .map((v) => v.name)
    .filter((name) => result.rounds[name] && !flagged(load, result, name));
  return peers.sort((x, y) => summarise(result.rounds[y]!).rps - summarise(result.rounds[x]!).rps)[0];
}

function targetsTable(load: LoadPhaseResult): string {
  const lines = [
    '| target | scenario | measured (req/s) | per-round range | measured (CPU-normalised) | met? |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const t of TARGETS) {
    const result = load.scenarios.find((s) => s.scenario.name === t.scenario);
    if (!result) continue;
    const b = t.b === 'best-express-peer' ? bestExpressPeer(load, result) : t.b;
    if (b === undefined) continue;
    const r = ratio(result, t.a, b);
    if (!r) continue;
    // A flagged variant is not ranked (see the scenario tables), so its target is not judged either.
    const flag = [t.a, b].find((name) => flagged(load, result, name) !== undefined);
    const miss = flag
      ? `**flagged** (${flag})`
      : r.rps >= t.min
        ? 'yes'
        : `**no**: ${fmt((1 - r.rps / t.min) * 100, 1)}% short`;
    const vs = t.b === 'best-express-peer' ? ` (best peer: ${b})` : '';
    lines.push(
      `| ${t.what}${vs} | ${t.scenario} | ${fmt(r.rps, 3)} | ${fmt(r.min, 2)}–${fmt(r.max, 2)} | ${fmt(r.cpu, 3)} | ${miss} |`,
    );
  }
  return lines.join('\n');
}

function correctnessTable(load: LoadPhaseResult): string {
  const lines = ['| variant | correctness checks |', '|---|---|'];
  for (const [name, failures] of Object.entries(load.correctness)) {
    lines.push(
      `| ${lookup(name).label} | ${failures.length === 0 ? 'all passed' : `**${failures.join('; ')}**`} |`,
    );
  }
  return lines.join('\n');
}

function coldStartTable(rows: readonly ColdStartResult[]): string {
  const lines = [
    '| variant | concurrent requests | discovery fetches | JWKS fetches | statuses | time to answer all |',
    '|---|---:|---:|---:|---|---:|',
  ];
  for (const r of rows) {
    const statuses = Object.entries(r.statuses)
      .map(([code, n]) => `${code}×${n}`)
      .join(', ');
    lines.push(
      `| ${lookup(r.variant).label} | ${r.concurrency} | ${r.discoveryFetches} | ${r.jwksFetches} | ${statuses} | ${r.elapsedMs} ms |`,
    );
  }
  return lines.join('\n');
}

function memoryTable(m: MemoryResult): string {
  const mb = (bytes: number) => fmt(bytes / 1024 / 1024, 2);
  const lines = ['| distinct tokens validated (each twice) | heap used after GC (MB) |', '|---:|---:|'];
  for (const c of m.checkpoints) lines.push(`| ${fmt(c.tokens)} | ${mb(c.heapBytes)} |`);
  const atFull = m.checkpoints.find((c) => c.tokens >= m.cacheSize);
  const last = m.checkpoints.at(-1)!;
  const first = m.checkpoints[0]!;
  if (atFull) {
    lines.push(
      '',
      `Cache of ${fmt(m.cacheSize)} entries (${m.alg} tokens): filling it took ${mb(atFull.heapBytes - first.heapBytes)} MB ` +
        `(about ${fmt((atFull.heapBytes - first.heapBytes) / m.cacheSize)} bytes per entry); the next ` +
        `${fmt(last.tokens - atFull.tokens)} tokens changed the heap by ${mb(last.heapBytes - atFull.heapBytes)} MB.`,
    );
  }
  return lines.join('\n');
}

function microTable(rows: readonly MicroRow[]): string {
  const us = (ns: number | undefined) => (ns === undefined ? 'n/a' : fmt(ns / 1000, 2));
  const lines = ['| benchmark | avg µs | p50 µs | p99 µs |', '|---|---:|---:|---:|'];
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${us(r.avgNs)} | ${us(r.p50Ns)} | ${us(r.p99Ns)} |${r.error ? ` error: ${r.error}` : ''}`,
    );
  return lines.join('\n');
}

function propagationTable(p: PropagationResult): string {
  const row = (what: string, s: PropagationStats) =>
    `| ${what} | ${s.count} | ${fmt(s.p50Ms, 2)} | ${fmt(s.p99Ms, 2)} | ${fmt(s.maxMs, 2)} |`;
  return [
    `${p.instances} instances (processes) on one redis-server; one change at a time, made on the first, timed until both others have it in memory.`,
    '',
    '| change | count | p50 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    row('revoke: stored (the 201) → in force on every other instance', p.revoke),
    row('revoke: request start → in force on every other instance', p.revokeFromRequest),
    row('lift: lifted (the 204) → lifted on every other instance', p.lift),
  ].join('\n');
}

/** The Markdown report of one run (pasted into BENCHMARKS.md for published runs). */
export function renderReport(results: RunResults): string {
  const parts = [
    `## Run: ${results.mode} mode`,
    '',
    '```',
    results.command,
    '```',
    '',
    Object.entries(results.machine)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join('\n'),
    `- settings: ${Object.entries(results.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  ];
  const section = (title: string, body: string) => parts.push('', `### ${title}`, '', body);
  const mitata = 'mitata, one process on one core';
  if (results.load) {
    section('Correctness (before timing)', correctnessTable(results.load));
    section('Targets', targetsTable(results.load));
    for (const s of results.load.scenarios) parts.push('', scenarioTable(results.load, s));
  }
  if (results.coldStart) section('Cold start: JWKS fetches', coldStartTable(results.coldStart));
  if (results.memory) section('Memory', memoryTable(results.memory));
  if (results.sharedState)
    section(`Shared state on the hot path (${mitata})`, microTable(results.sharedState.rows));
  if (results.sharedState?.waited)
    parts.push(
      '',
      'Decisions that waited (came back as a promise), of 100,000 per gate after warm-up:',
      '',
      '| gate | waited |',
      '|---|---:|',
      ...results.sharedState.waited.map((w) => `| ${w.name} | ${w.waited} of ${w.of} |`),
    );
  if (results.propagation) section('Revocation propagation', propagationTable(results.propagation));
  if (results.connections) section('Long-lived connections', connectionsTables(results.connections));
  if (results.topologies) section('Redis topologies', topologyTables(results.topologies));
  if (results.micro) section(`Micro-benchmarks (${mitata})`, microTable(results.micro.rows));
  if (results.dpop) section(`DPoP (${mitata})`, microTable(results.dpop.rows));
  if (results.authz)
    section(
      'Authorization: an allow through each backend (mitata, one process)',
      microTable(results.authz.rows),
    );
  return `${parts.join('\n')}\n`;
}
