import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerConfig } from '../fixture.js';
import { LoadGenerator } from '../load/client.js';
import type { LoadResult } from '../load/protocol.js';
import { variant as lookup } from '../variants.js';
import { type Check, checkVariant } from './checks.js';
import { cpuSeconds, type RunningServer, startServer, stopProcess } from './processes.js';
import type { Scenario } from './scenarios.js';

export interface LoadSettings {
  readonly rounds: number;
  readonly durationSecs: number;
  readonly warmupSecs: number;
  readonly connections: number;
}

/** One timed round of one variant. */
export interface RoundResult extends LoadResult {
  readonly round: number;
  /** Server CPU seconds used during the round (from /proc), if known. */
  readonly serverCpuSecs: number | undefined;
  /** Responses whose status was not the scenario's expected one. */
  readonly unexpected: number;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  /** Variant name → its rounds, in round order. */
  readonly rounds: Record<string, RoundResult[]>;
}

export interface LoadPhaseResult {
  /** Variant name → correctness failures (empty when correct). */
  readonly correctness: Record<string, string[]>;
  readonly scenarios: ScenarioResult[];
}

const log = (message: string) => process.stderr.write(`${message}\n`);

/**
 * Starts every server (pinned to core 0) and the load generator (core 1), checks each variant, then
 * runs each scenario: a warm-up per variant, then `rounds` rounds in which every variant runs once,
 * interleaved (the order rotates each round so no variant always follows the same neighbour).
 */
export async function runLoadPhase(
  scenarios: readonly Scenario[],
  settings: LoadSettings,
  config: ServerConfig,
  headerFiles: Record<string, string>,
  checks: readonly Check[],
): Promise<LoadPhaseResult> {
  const wanted = [...new Set(scenarios.flatMap((s) => s.variants))];
  const servers = new Map<string, RunningServer>();
  const load = LoadGenerator.start(1);
  const correctness: Record<string, string[]> = {};
  try {
    for (const name of wanted) {
      servers.set(name, await startServer(name, config));
      correctness[name] = await checkVariant(lookup(name), servers.get(name)!.url, checks);
      log(
        `  ${name.padEnd(20)} ${correctness[name].length === 0 ? 'correct' : `FLAGGED: ${correctness[name].join('; ')}`}`,
      );
    }
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      log(`\n${scenario.name}: warm-up`);
      const file = headerFiles[scenario.headers]!;
      const once = (name: string, durationSecs: number) =>
        load.run({
          url: servers.get(name)!.url,
          headersFile: file,
          durationSecs,
          connections: settings.connections,
        });
      for (const name of scenario.variants) await once(name, settings.warmupSecs);
      const rounds: Record<string, RoundResult[]> = Object.fromEntries(scenario.variants.map((n) => [n, []]));
      for (let round = 0; round < settings.rounds; round++) {
        const n = scenario.variants.length;
        const order = scenario.variants.map((_, i) => scenario.variants[(i + round) % n]!);
        const line: string[] = [];
        for (const name of order) {
          const pid = servers.get(name)!.child.pid;
          const cpuBefore = cpuSeconds(pid);
          const result = await once(name, settings.durationSecs);
          const cpuAfter = cpuSeconds(pid);
          const expected = String(scenario.expectStatus);
          const unexpected =
            Object.entries(result.statusCodes).reduce(
              (sum, [code, count]) => sum + (code === expected ? 0 : count),
              0,
            ) +
            result.errors +
            result.timeouts;
          rounds[name]!.push({
            ...result,
            round,
            serverCpuSecs:
              cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
            unexpected,
          });
          line.push(`${name} ${Math.round(result.rps)}${unexpected ? ` (${unexpected} unexpected)` : ''}`);
          await sleep(100);
        }
        log(`  round ${round + 1}/${settings.rounds}: ${line.join(', ')}`);
      }
      results.push({ scenario, rounds });
    }
    return { correctness, scenarios: results };
  } finally {
    await load.stop();
    await Promise.all([...servers.values()].map((s) => stopProcess(s.child)));
  }
}
