import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { LoadRequest, LoadResult } from './protocol.js';

// The load generator: a long-lived child process (pinned to its own core by the orchestrator) that runs
// autocannon on request and answers with the figures. Header lists are read once and kept.
const headerLists = new Map<string, readonly string[]>();

function headers(file: string): readonly string[] {
  let list = headerLists.get(file);
  if (list === undefined) {
    list = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0);
    headerLists.set(file, list);
  }
  return list;
}

async function run(request: LoadRequest): Promise<LoadResult> {
  const list = headers(request.headersFile);
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  // One value: a static request buffer. Several: each request takes the next value (shared counter,
  // so the whole list cycles in order across connections).
  const requests =
    list.length === 1
      ? [{ method: 'GET' as const, path: '/v1/whoami', headers: { authorization: list[0]! } }]
      : [
          {
            method: 'GET' as const,
            path: '/v1/whoami',
            setupRequest: (req: autocannon.Request) => {
              const authorization = list[next]!;
              next = next + 1 === list.length ? 0 : next + 1;
              return { ...req, headers: { authorization } };
            },
          },
        ];
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.durationSecs,
    requests,
  });
  const elapsedSecs = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count;
  const requests_ = result.requests.total;
  return {
    id: request.id,
    requests: requests_,
    elapsedSecs,
    rps: requests_ / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    loadCpu: (cpu.user + cpu.system) / 1e6 / elapsedSecs,
  };
}

process.on('message', (message: LoadRequest) => {
  run(message).then(
    (result) => process.send!(result),
    (err: unknown) => process.send!({ id: message.id, error: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
