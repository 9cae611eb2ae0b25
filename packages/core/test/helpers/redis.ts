import { connect, type Socket } from 'node:net';
import type { OneTimeIds } from '../../src/index.js';

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
