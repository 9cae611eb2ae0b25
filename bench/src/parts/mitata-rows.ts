import { run } from 'mitata';

/** One benchmark's figures, as the micro-benchmark parts print them for the report. */
export interface MitataRow {
  readonly name: string;
  readonly avgNs: number | undefined;
  readonly p50Ns: number | undefined;
  readonly p99Ns: number | undefined;
  readonly error: string | undefined;
}

/**
 * Runs the benchmarks registered with mitata (its own table goes to stderr) and returns the CPU it names
 * and a row per benchmark: what the `micro`, `dpop` and `shared` parts print as JSON on stdout.
 */
export async function runMitata(): Promise<{ cpu: unknown; rows: MitataRow[] }> {
  const results = await run({
    format: 'mitata',
    colors: false,
    print: (s: string) => process.stderr.write(`${s}\n`),
  });
  const rows = results.benchmarks.flatMap((trial) =>
    trial.runs.map((r) => ({
      name: r.name,
      avgNs: r.stats?.avg,
      p50Ns: r.stats?.p50,
      p99Ns: r.stats?.p99,
      error: r.error === undefined ? undefined : String(r.error),
    })),
  );
  return { cpu: results.context.cpu, rows };
}
