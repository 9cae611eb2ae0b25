/**
 * What the example apps read from the environment besides `GATEHOUSE_*`: where the database lives and
 * where to listen. Only the apps' `main.ts` calls these.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variables of the example apps (besides `GATEHOUSE_*`). */
export const APP_ENV = Object.freeze({
  port: 'PORT',
  host: 'HOST',
  grpcPort: 'GRPC_PORT',
  pdpUrl: 'AUTHZEN_PDP_URL',
  dataDir: 'TELEMETRY_DATA_DIR',
  logLevel: 'LOG_LEVEL',
});

/** The log levels `LOG_LEVEL` may name (pino's). */
export const LOG_LEVELS_ACCEPTED = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** File name of the database inside the data folder. */
export const DATABASE_FILE = 'telemetry.db';

/** `<repository>/data`: the same folder for every app, whichever folder it is started from. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url));

export const DEFAULT_HOST = '127.0.0.1';

type Env = Readonly<Record<string, string | undefined>>;

/** A bad `PORT` or `HOST`: main prints the message and exits 1. */
export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** `TELEMETRY_DATA_DIR/telemetry.db`; a relative folder is taken from the working directory. */
export function databasePathFromEnv(env: Env = process.env, cwd: string = process.cwd()): string {
  const dir = env[APP_ENV.dataDir]?.trim();
  if (!dir) return join(DEFAULT_DATA_DIR, DATABASE_FILE);
  return join(isAbsolute(dir) ? dir : resolve(cwd, dir), DATABASE_FILE);
}

/** `PORT` (0 picks a free one) and `HOST` (default 127.0.0.1). */
export function listenAddressFromEnv(env: Env, defaultPort: number): { port: number; host: string } {
  return {
    port: portFromEnv(env, APP_ENV.port, defaultPort),
    host: env[APP_ENV.host]?.trim() || DEFAULT_HOST,
  };
}

/** A port number from `variable` (`PORT`, `GRPC_PORT`; 0 picks a free one), else `defaultPort`. */
export function portFromEnv(env: Env, variable: string, defaultPort: number): number {
  const raw = env[variable]?.trim() || String(defaultPort);
  const port = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || port > 65535) {
    throw new EnvError(`${variable} must be a port number from 0 to 65535`);
  }
  return port;
}

/** `LOG_LEVEL` (default `info`, any case); an unknown level is refused at start-up. */
export function logLevelFromEnv(env: Env): (typeof LOG_LEVELS_ACCEPTED)[number] {
  const raw = env[APP_ENV.logLevel]?.trim().toLowerCase() || 'info';
  const level = LOG_LEVELS_ACCEPTED.find((l) => l === raw);
  if (level === undefined) {
    throw new EnvError(`${APP_ENV.logLevel} must be one of ${LOG_LEVELS_ACCEPTED.join(', ')}`);
  }
  return level;
}
