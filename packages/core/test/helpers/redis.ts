import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import type { OneTimeIds } from '../../src/index.js';

/** A real redis-server on a free loopback port, started and stopped by the test. */
export class RedisServer {
  private constructor(
    private process: ChildProcess | undefined,
    readonly port: number,
  ) {}

  static async start(port?: number): Promise<RedisServer> {
    const chosen = port ?? (await freePort());
    const child = spawn(
      'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
      child.once('error', reject);
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return new RedisServer(child, chosen);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/**
 * The smallest Redis client that implements {@link OneTimeIds} (`SET key 1 NX EX ttl`), one connection
 * per command, so a stopped server shows as a failed claim. Enough for the replay tests; the real
 * client lives in `@gatehouse/redis`.
 */
export function redisOneTimeIds(port: number): OneTimeIds & { calls: number } {
  const ids = {
    calls: 0,
    claim(id: string, ttlSecs: number): Promise<boolean> {
      ids.calls++;
      const args = ['SET', id, '1', 'NX', 'EX', String(ttlSecs)];
      const command = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
      return new Promise<boolean>((resolve, reject) => {
        const socket: Socket = connect(port, '127.0.0.1');
        let reply = '';
        socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
        socket.on('error', reject);
        socket.on('connect', () => socket.write(command));
        socket.on('data', (chunk) => {
          reply += chunk.toString();
          if (!reply.endsWith('\r\n')) return;
          socket.end();
          if (reply.startsWith('+OK')) resolve(true);
          else if (reply.startsWith('$-1')) resolve(false);
          else reject(new Error(`unexpected reply ${reply.trim()}`));
        });
      });
    },
  };
  return ids;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
