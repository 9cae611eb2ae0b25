/** The Markdown tables of the connections part (issue 24). */
import type { ConnectionsResult } from './connections.js';

const fmt = (n: number, digits: number) => n.toFixed(digits);

export function connectionsTables(result: ConnectionsResult): string {
  const lines = [
    'WebSocket handshakes (upgrade → welcome received, then the client drops the socket), 8 at a time,',
    'against one server process; the bare row is a `ws` server with no authentication sending a welcome of',
    'the same size. Three rounds, the variants taking turns; per second: the median round.',
    '',
    '| handshake | count | per second | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|',
    ...result.handshakes.map(
      (r) => `| ${r.name} | ${r.count} | ${fmt(r.perSec, 0)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} |`,
    ),
    '',
    'Close latency: a live socket, a revocation covering it (its subject), one at a time; from the moment the',
    'revocation is stored (the 201 of `POST /v1/admin/revocations`) to the client receiving the close frame',
    '(4001 `revoked`). The last row: many sockets, one revocation covering them all.',
    '',
    '| revocation | count | p50 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    ...result.closes.map(
      (r) => `| ${r.name} | ${r.count} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${fmt(r.maxMs, 2)} |`,
    ),
  ];
  return lines.join('\n');
}
