/**
 * `npm start -w apps/analytics`: reads the environment (PORT, HOST, TELEMETRY_DATA_DIR, LOG_LEVEL; Gatehouse
 * reads GATEHOUSE_* itself), listens, and stops cleanly on SIGINT/SIGTERM. Bad configuration is one line on
 * stderr and exit 1.
 */
import 'reflect-metadata';
import type { Gatehouse } from '@gatehouse/core';
import {
  createAppLogger,
  databasePathFromEnv,
  exitOnStartupError,
  listenAddressFromEnv,
  logLevelFromEnv,
  serve,
} from '@gatehouse/example-kit';
import { openTelemetryStore } from '@gatehouse/example-telemetry-store';
import { GATEHOUSE } from '@gatehouse/nestjs';
import { createApp } from './app.js';

const NAME = 'analytics';
const DEFAULT_PORT = 4402;

async function main(): Promise<void> {
  const { port, host } = listenAddressFromEnv(process.env, DEFAULT_PORT);
  const logger = createAppLogger({ service: NAME, level: logLevelFromEnv(process.env) });
  const store = openTelemetryStore({ path: databasePathFromEnv(process.env), access: 'read-only' });
  const app = await createApp({ store, logger, nestLogLevels: ['error', 'warn'] });
  await app.init();
  const close = async () => {
    await app.close();
    store.close();
  };
  const gate = app.get<Gatehouse>(GATEHOUSE);
  serve({
    name: NAME,
    server: app.getHttpServer(),
    port,
    host,
    details: `database ${store.path}`,
    // Open WebSockets end first (1001 "shutdown"): the HTTP server would otherwise wait for them.
    stopping: () => gate.connections.closeAll(),
    close,
  });
}

main().catch((err: unknown) => exitOnStartupError(NAME, err));
