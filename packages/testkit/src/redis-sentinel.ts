/**
 * A real Sentinel deployment on loopback: a primary, its replicas and three `redis-sentinel`s watching
 * them. For tests, the bench and the demo (no test runner imported). Failovers are real: the primary
 * killed or put to sleep, or `SENTINEL FAILOVER`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { redisCli, until } from './redis-cli.js';
import { findRedisServer, RedisServer } from './redis-server.js';

/** Options of {@link RedisSentinels.start}. */
export interface RedisSentinelsOptions {
  /** The primary's name at the sentinels. Default `mymaster`. */
  readonly masterName?: string;
  /** Replicas. Default 1. */
  readonly replicas?: number;
  /** Sentinels. Default 3 (quorum 2). */
  readonly sentinels?: number;
  /** `down-after-milliseconds`: how soon a silent primary is failed over. Default 1000 ms. */
  readonly downAfterMs?: number;
  /** More `redis-server` arguments for the data nodes (ACL settings, say). */
  readonly args?: readonly string[];
  /** The sentinels' own password (`requirepass` on each sentinel). */
  readonly sentinelPassword?: string;
}

/**
 * A primary with replicas behind three sentinels.
 *
 * @example
 * ```ts
 * const sentinels = await RedisSentinels.start();
 * process.env.GATEHOUSE_REDIS_URL = sentinels.url; // redis+sentinel://127.0.0.1:s1,…/mymaster
 * await sentinels.killPrimary(); // a replica is promoted
 * await sentinels.stop();
 * ```
 */
export class RedisSentinels {
  private readonly children: ChildProcess[] = [];

  private constructor(
    /** The data nodes: the first primary, then replicas (roles change with failovers). */
    readonly servers: readonly RedisServer[],
    readonly sentinelPorts: readonly number[],
    readonly masterName: string,
    private readonly dir: string,
    private readonly downAfterMs: number,
    private readonly sentinelPassword: string | undefined,
    private readonly args: readonly string[] | undefined,
  ) {}

  /** `redis+sentinel://127.0.0.1:s1,…/<master-name>`. */
  get url(): string {
    return `redis+sentinel://${this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${this.masterName}`;
  }

  /** Starts everything and resolves once every sentinel knows the primary and its replicas. */
  static async start(options: RedisSentinelsOptions = {}): Promise<RedisSentinels> {
    const bin = findRedisServer('redis-sentinel') ?? findRedisServer('redis-server');
    if (bin === undefined)
      throw new Error('redis-sentinel is not installed (apt-get install redis-sentinel)');
    const masterName = options.masterName ?? 'mymaster';
    const downAfterMs = options.downAfterMs ?? 1000;
    const primary = await RedisServer.start({ args: options.args });
    const replicas = await Promise.all(
      Array.from({ length: options.replicas ?? 1 }, () =>
        RedisServer.start({
          args: [...(options.args ?? []), '--replicaof', '127.0.0.1', String(primary.port)],
        }),
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sentinel-'));
    const ports = await Promise.all(Array.from({ length: options.sentinels ?? 3 }, () => freePort()));
    const set = new RedisSentinels(
      [primary, ...replicas],
      ports,
      masterName,
      dir,
      downAfterMs,
      options.sentinelPassword,
      options.args,
    );
    try {
      const quorum = Math.floor(ports.length / 2) + 1;
      for (const [i, port] of ports.entries()) {
        const file = join(dir, `sentinel-${i}.conf`);
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} ${quorum}`,
            `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
            `sentinel failover-timeout ${masterName} ${Math.max(3000, 3 * downAfterMs)}`,
            `sentinel parallel-syncs ${masterName} 1`,
            // The sentinels' own password, which they also use to talk to each other.
            ...(options.sentinelPassword
              ? [
                  `requirepass ${options.sentinelPassword}`,
                  `sentinel sentinel-pass ${options.sentinelPassword}`,
                ]
              : []),
            ...authLines(masterName, options.args),
            '',
          ].join('\n'),
        );
        const args = bin.endsWith('redis-sentinel') ? [file] : [file, '--sentinel'];
        set.children.push(spawn(bin, args, { stdio: 'ignore' }));
      }
      await until(
        'the replicas are in sync',
        async () => {
          const info = await redisCli(primary.port, [...dataAuth(options.args), 'INFO', 'replication']);
          return (info.match(/state=online/g)?.length ?? 0) === replicas.length;
        },
        20_000,
      );
      await until(
        'every sentinel knows the primary',
        async () => {
          for (const port of ports) {
            const addr = await set.sentinelCli(port, ['SENTINEL', 'get-master-addr-by-name', masterName]);
            if (!addr.includes(String(primary.port))) return false;
          }
          return true;
        },
        20_000,
      );
    } catch (err) {
      await set.stop();
      throw err;
    }
    return set;
  }

  /** The data node that the sentinels currently name as primary. */
  async primary(): Promise<RedisServer> {
    for (const port of this.sentinelPorts) {
      try {
        const reply = await this.sentinelCli(port, ['SENTINEL', 'get-master-addr-by-name', this.masterName]);
        const primaryPort = Number(reply.split('\n')[1]);
        const server = this.servers.find((s) => s.port === primaryPort);
        if (server !== undefined) return server;
      } catch {
        // ask the next sentinel
      }
    }
    throw new Error('no sentinel names a primary');
  }

  /** `SENTINEL FAILOVER` (a replica is promoted without waiting for the primary to fail). */
  async failover(): Promise<RedisServer> {
    const before = await this.primary();
    await this.sentinelCli(this.sentinelPorts[0]!, ['SENTINEL', 'FAILOVER', this.masterName]);
    await until('a replica was promoted', async () => (await this.primary()).port !== before.port, 20_000);
    return this.primary();
  }

  /** Kills the primary (SIGKILL) and resolves once the sentinels have promoted a replica. */
  async killPrimary(): Promise<RedisServer> {
    const before = await this.primary();
    await before.kill();
    await until(
      'a replica was promoted',
      async () => (await this.primary()).port !== before.port,
      10 * this.downAfterMs + 20_000,
    );
    return before;
  }

  /**
   * Brings a killed data node back and resolves once the sentinels have made it a replica of the current
   * primary and it is in sync (until then `WAIT 1` may answer 0).
   */
  async revive(server: RedisServer): Promise<void> {
    await server.launch();
    await until(
      'the revived node replicates the primary',
      async () => {
        const primary = await this.primary();
        const info = await redisCli(primary.port, [...dataAuth(this.args), 'INFO', 'replication']);
        return (info.match(/state=online/g)?.length ?? 0) === this.servers.length - 1;
      },
      10 * this.downAfterMs + 30_000,
    );
  }

  /** Stops the sentinels and every data node, and removes their folders. */
  async stop(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
    await Promise.all(this.servers.map((s) => s.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private sentinelCli(port: number, args: readonly string[]): Promise<string> {
    return redisCli(
      port,
      this.sentinelPassword ? ['--no-auth-warning', '-a', this.sentinelPassword, ...args] : args,
    );
  }
}

// redis-cli's arguments for a data node started with `--requirepass x`.
function dataAuth(args: readonly string[] = []): string[] {
  const i = args.indexOf('--requirepass');
  return i >= 0 ? ['--no-auth-warning', '-a', args[i + 1]!] : [];
}

// A data node with a password: the sentinels need it too (`--requirepass x` / `--masterauth x` args).
function authLines(masterName: string, args: readonly string[] = []): string[] {
  const i = args.indexOf('--masterauth');
  const user = args.indexOf('--masteruser');
  const lines: string[] = [];
  if (i >= 0) lines.push(`sentinel auth-pass ${masterName} ${args[i + 1]}`);
  if (user >= 0) lines.push(`sentinel auth-user ${masterName} ${args[user + 1]}`);
  return lines;
}
