import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Instructions per operation of a workload (see workload.ts), counted by valgrind's callgrind over the
 * timed loop only: collection is switched on after set-up and warm-up and off after the loop, with
 * callgrind_control. Instruction counts barely move when other processes share the machine, unlike time.
 *
 *   node dist/profile/count.js http:gatehouse-koa:hot http:koa:hot --n=2000
 */
const WORKLOAD = fileURLToPath(new URL('./workload.js', import.meta.url));

async function instructions(workload: string, n: number): Promise<number> {
  const out = join(tmpdir(), `callgrind-${process.pid}-${workload.replace(/\W/g, '_')}.out`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all-non-file',
      '--instr-atstart=no',
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
  const control = (option: string) =>
    execFileSync('callgrind_control', [option, String(child.pid)], { stdio: 'ignore' });
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line === 'ready') control('--instr=on');
    if (line === 'done') control('--instr=off');
    if (line === 'ready' || line === 'done') child.stdin!.write('go\n');
  }
  await new Promise((resolve) => child.once('exit', resolve));
  const summary = /^totals: (\d+)/m.exec(readFileSync(out, 'utf8'))?.[1];
  if (process.env.BENCH_KEEP_CALLGRIND) process.stderr.write(`kept ${out}\n`);
  else rmSync(out, { force: true });
  if (summary === undefined) throw new Error(`no callgrind summary for ${workload}`);
  return Number(summary);
}

const args = process.argv.slice(2);
const n = Number(args.find((a) => a.startsWith('--n='))?.slice(4) ?? 1000);
const keysFile = join(tmpdir(), `gatehouse-bench-keys-${process.pid}.json`);
process.env.BENCH_KEYS_FILE = keysFile;
execFileSync(process.execPath, [WORKLOAD, 'keys'], { stdio: 'inherit' });
for (const workload of args.filter((a) => !a.startsWith('--'))) {
  const perOp = (await instructions(workload, n)) / n;
  process.stdout.write(
    `${workload.padEnd(36)} ${Math.round(perOp).toLocaleString('en-US')} instructions/op\n`,
  );
}
rmSync(keysFile, { force: true });
