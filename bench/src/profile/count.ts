import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Instructions per operation of a workload (see workload.ts), counted by valgrind's callgrind over the
 * timed loop only: collection is switched on after set-up and warm-up and off after the loop (vgdb). Instruction counts barely move when other processes share the machine, unlike time.
 *
 *   node dist/profile/count.js http:gatehouse-koa:hot http:koa:hot --n=2000 [--runs=3]
 *
 * Two counts per workload: every thread (the CPU the work really costs) and the main thread alone
 * (callgrind's --separate-threads), which leaves V8's concurrent marking, sweeping and background
 * compilation out and so repeats much more closely. `--runs=K` counts each workload K times, one after
 * another, and prints the median with the range.
 */
const WORKLOAD = fileURLToPath(new URL('./workload.js', import.meta.url));

interface Count {
  readonly all: number;
  readonly main: number;
}

async function instructions(workload: string, n: number): Promise<Count> {
  const out = join(tmpdir(), `callgrind-${process.pid}-${workload.replace(/\W/g, '_')}.out`);
  // A private vgdb prefix: the callgrind runs of other users of this machine (callgrind_control finds its
  // targets through the default prefix) can neither see nor switch this one.
  const prefix = `${out}.vgdb`;
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all-non-file',
      '--instr-atstart=no',
      '--separate-threads=yes',
      `--vgdb-prefix=${prefix}`,
      `--callgrind-out-file=${out}`,
      process.execPath,
      WORKLOAD,
      workload,
      String(n),
    ],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, NODE_ENV: 'production', BENCH_HANDSHAKE: '1' },
    },
  );
  // vgdb exits non-zero when the command was not delivered; `instrumentation` alone reports the state.
  const vgdb = (...command: string[]) =>
    execFileSync('vgdb', [`--vgdb-prefix=${prefix}`, `--pid=${child.pid}`, ...command], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  let counted = false;
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line === 'ready') vgdb('instrumentation', 'on');
    if (line === 'done') {
      // Still on at the end of the loop, or the count would not be the loop's.
      counted = vgdb('instrumentation').includes('instrumentation: on');
      vgdb('instrumentation', 'off');
    }
    if (line === 'ready' || line === 'done') child.stdin!.write('go\n');
  }
  await new Promise((resolve) => child.once('exit', resolve));
  // One file per thread, `<out>-01` (the main thread), `<out>-02`, … (and `<out>` itself, empty).
  const files = readdirSync(dirname(out))
    .filter((f) => f.startsWith(`${basename(out)}-`))
    .map((f) => join(dirname(out), f));
  const totals = new Map(
    files.map((f) => [f, Number(/^totals: (\d+)/m.exec(readFileSync(f, 'utf8'))?.[1] ?? Number.NaN)]),
  );
  if (process.env.BENCH_KEEP_CALLGRIND) process.stderr.write(`kept ${files.join(' ')}\n`);
  else for (const file of files) rmSync(file, { force: true });
  rmSync(out, { force: true });
  const main = totals.get(`${out}-01`);
  if (!counted) throw new Error(`instrumentation was not on through the loop of ${workload}`);
  if (main === undefined || [...totals.values()].some(Number.isNaN)) {
    throw new Error(`no callgrind summary for ${workload}`);
  }
  return { all: [...totals.values()].reduce((a, b) => a + b, 0) / n, main: main / n };
}

function summary(counts: readonly number[]): string {
  const format = (count: number) => Math.round(count).toLocaleString('en-US');
  const sorted = [...counts].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  if (counts.length === 1) return format(median);
  return `${format(median)} (${format(sorted[0]!)}–${format(sorted.at(-1)!)}: ${counts.map(format).join(', ')})`;
}

const args = process.argv.slice(2);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const n = Number(option('n') ?? 1000);
const runs = Number(option('runs') ?? 1);
const keysFile = join(tmpdir(), `gatehouse-bench-keys-${process.pid}.json`);
process.env.BENCH_KEYS_FILE = keysFile;
execFileSync(process.execPath, [WORKLOAD, 'keys'], { stdio: 'inherit' });
for (const workload of args.filter((a) => !a.startsWith('--'))) {
  const counts: Count[] = [];
  for (let run = 0, retries = 0; run < runs; run++) {
    try {
      counts.push(await instructions(workload, n));
    } catch (err) {
      // A count whose instrumentation was switched by something else is dropped and taken again.
      if (!/was not on/.test(String(err)) || ++retries > 2) throw err;
      process.stderr.write(`${workload}: ${(err as Error).message}; counting again\n`);
      run--;
    }
  }
  process.stdout.write(
    `${workload.padEnd(36)} ${summary(counts.map((c) => c.all))} instructions/op; ` +
      `main thread ${summary(counts.map((c) => c.main))}\n`,
  );
}
rmSync(keysFile, { force: true });
