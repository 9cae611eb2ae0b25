/**
 * The one redis-server launcher of the repository: a real `redis-server` (Debian's binary, or the one
 * `REDIS_SERVER_BIN` names) on a loopback port, for the tests, the bench and the demo. It can be killed
 * (SIGKILL, no goodbye to its clients) and brought back on the same port with or without its data.
 * No mock anywhere.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './ports.js';

const START_TIMEOUT_MS = 10_000;

/**
 * The redis-server to run: `REDIS_SERVER_BIN`, else the first on `PATH` (or `/usr/bin`), else undefined.
 * With `searchPath` (a `PATH`-like list), only those folders are searched.
 *
 * @example
 * ```ts
 * const bin = findRedisServer();
 * if (bin === undefined) console.error('apt-get install redis-server');
 * findRedisServer('redis-server', '/nonexistent'); // undefined
 * ```
 */
export function findRedisServer(name = 'redis-server', searchPath?: string): string | undefined {
  const explicit =
    name === 'redis-server' && searchPath === undefined ? process.env.REDIS_SERVER_BIN : undefined;
  if (explicit) return explicit;
  const dirs = searchPath?.split(delimiter) ?? [...(process.env.PATH ?? '').split(delimiter), '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether this machine can run what needs Redis (`.ci/run` installs it; elsewhere such tests skip). */
export const hasRedis = findRedisServer() !== undefined;

/**
 * Sends one inline command and resolves with the first reply line (`+PONG`, `:1`, `-ERR …`).
 *
 * @example
 * ```ts
 * await rawCommand(server.port, 'FLUSHALL');
 * ```
 */
export function rawCommand(
  port: number,
  command: string,
  timeoutMs = 500,
  host = '127.0.0.1',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    let data = '';
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(data.split('\r\n')[0]!);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Options of {@link RedisServer.start}. */
export interface RedisServerOptions {
  /** The port; default a free one. */
  readonly port?: number;
  /** The address; default `127.0.0.1`. */
  readonly host?: string;
  /**
   * Keep data across a kill: an append-only file with `fsync always` (tests that restart the server with
   * its data). Default false: nothing is written to disk.
   */
  readonly persistent?: boolean;
  /** More `redis-server` arguments (`['--requirepass', 'x']`, cluster or ACL settings). */
  readonly args?: readonly string[];
  /** The binary; default {@link findRedisServer}. */
  readonly bin?: string;
  /** `stdio` of the child: `ignore` (default) or `inherit` (to debug). */
  readonly stdio?: 'ignore' | 'inherit';
}

/**
 * A real redis-server process.
 *
 * @example
 * ```ts
 * const redis = await RedisServer.start();
 * process.env.GATEHOUSE_REDIS_URL = redis.url;
 * await redis.kill(); // Redis gone mid-test
 * await redis.restart({ keepData: false }); // back, empty
 * await redis.stop();
 * ```
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private readonly exitListeners: ((reason: string) => void)[] = [];
  /** The server's working folder (its append-only file, when persistent). */
  readonly dir: string;

  private constructor(
    readonly port: number,
    readonly host: string,
    private readonly options: RedisServerOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
  }

  /** `redis://host:port`. */
  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts a server and resolves once it answers `PING`. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const host = options.host ?? '127.0.0.1';
    const server = new RedisServer(options.port ?? (await freePort(host)), host, options);
    await server.launch();
    return server;
  }

  /** Starts the process (again) on its port. */
  async launch(): Promise<void> {
    const bin = this.options.bin ?? findRedisServer();
    if (bin === undefined) throw new Error('redis-server is not installed (apt-get install redis-server)');
    const persistence = this.options.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    // biome-ignore format: one option per line
    const child = spawn(bin, [
      '--port', String(this.port),
      '--bind', this.host,
      '--save', '',
      ...persistence,
      '--dir', this.dir,
      '--loglevel', 'warning',
      ...(this.options.args ?? []),
    ], { stdio: this.options.stdio ?? 'ignore' });
    this.child = child;
    child.once('exit', (code, signal) => {
      // kill() forgets the child first: only an exit nobody here asked for is reported.
      if (this.child !== child) return;
      this.child = undefined;
      for (const listener of this.exitListeners) listener(`exit ${code ?? signal}`);
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        const reply = await rawCommand(this.port, 'PING', 500, this.host);
        // A server with a password still answers: it is up.
        if (reply === '+PONG' || reply.startsWith('-NOAUTH')) return;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        this.child = undefined;
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on ${this.host}:${this.port}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Calls `listener` when the server stops without {@link kill}, {@link restart} or {@link stop} asking
   * it to (it crashed, or something else killed it), with a reason such as `exit 1` or `exit SIGKILL`.
   *
   * @example
   * ```ts
   * redis.onUnexpectedExit((reason) => console.error(`redis-server stopped (${reason})`));
   * ```
   */
  onUnexpectedExit(listener: (reason: string) => void): void {
    this.exitListeners.push(listener);
  }

  /** Kills the server (SIGKILL: no goodbye to its clients) and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Pauses the process (SIGSTOP): connections stay open but nothing answers, like a hung server. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Resumes a paused process (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Starts it again on the same port, with its data (when persistent) or empty. */
  async restart({ keepData }: { keepData: boolean }): Promise<void> {
    await this.kill();
    if (!keepData) {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true });
    }
    await this.launch();
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
