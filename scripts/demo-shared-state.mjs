// The demo's "many instances, one truth" part: when redis-server is installed, one on a free loopback port
// (its data in a temporary folder, nothing saved) for every app of the demo, and the lines that show a
// revocation made on one ingestion instance refused by the other; when it is not, the plain statement that
// revocations and limits run inside each process.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const START_TIMEOUT_MS = 10_000;

/** The redis-server on PATH, or undefined. */
export function findRedisServer(path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What the demo says when there is no redis-server. */
export const IN_PROCESS_NOTICE = [
  '  redis-server is not installed: revocations and limits run in-process (each app keeps its own and',
  '  only one ingestion instance runs). Install it (apt-get install redis-server) and run the demo again',
  '  to see two ingestion instances share revocations through Redis.',
];

function freePort(host) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function ping(host, port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}

/**
 * Starts `bin` on `host`, on `port` (0: a free one), with no persistence. Resolves once it answers PING:
 * `{ url, port, child }`; its temporary folder is removed when it exits. Rejects with its own message when
 * it cannot start.
 */
export async function startRedis({ bin, host, port = 0 }) {
  const chosen = port || (await freePort(host));
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-redis-'));
  const child = spawn(
    bin,
    [
      '--port',
      String(chosen),
      '--bind',
      host,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk) => {
      if (output.length < 4096) output += chunk;
    });
  }
  let exited = false;
  child.once('exit', () => {
    exited = true;
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ping(host, chosen))) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill('SIGKILL');
      const said = output.trim().split('\n').pop();
      throw new Error(`redis-server could not start on ${host}:${chosen}${said ? `: ${said}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://${host}:${chosen}`, port: chosen, child };
}

/** The `jti` of a JWT (the demo's own token; no verification needed to read it). */
export function jtiOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')).jti;
}

/**
 * The printed lines: with Redis, a curl line that revokes TOKEN (by its jti) on the first ingestion
 * instance and asks both who it is (→ 201, then 401 from each); without, the in-process notice.
 */
export function sharedStateLines({ redisUrl, ingestionUrls, issuer, token }) {
  if (redisUrl === undefined) return ['', ...IN_PROCESS_NOTICE];
  const [first, second] = ingestionUrls;
  const curl = "curl -s -w ' → %{http_code}\\n'";
  const body = JSON.stringify({ jti: jtiOf(token), issuer });
  const whoami = (url) => `${curl} ${url}/v1/whoami -H "Authorization: Bearer $TOKEN"`;
  return [
    '',
    `  Many instances, one truth: every app shares revocations and limits on ${redisUrl}`,
    '  (a redis-server the demo started; Ctrl-C stops it). Two ingestion instances run on it:',
    `  ${first} and ${second}.`,
    '',
    '  # the revocations in force, from the second ingestion instance (none yet) → 200',
    `  curl -s -w '\\n' ${second}/v1/admin/revocations -H "Authorization: Bearer $OPERATOR_KEY"`,
    '  # revoke TOKEN (by its jti) on the first instance, then ask both who it is → 201, then 401 from each',
    `  ${curl} -X POST ${first}/v1/admin/revocations -H "Authorization: Bearer $OPERATOR_KEY" -H 'content-type: application/json' -d '${body}' && sleep 1 && ${whoami(first)} && ${whoami(second)}`,
    '  TOKEN then stays refused everywhere until the revocation is lifted (DELETE /v1/admin/revocations/<id>',
    '  on any instance) or the token expires.',
  ];
}
