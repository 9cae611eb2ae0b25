/**
 * `npm start -w apps/analytics-koa`: reads the environment (PORT, HOST, TELEMETRY_DATA_DIR, LOG_LEVEL;
 * Gatehouse reads GATEHOUSE_* itself), listens, and stops cleanly on SIGINT/SIGTERM. Bad configuration is
 * one line on stderr and exit 1.
 */
import { createServer } from 'node:http';
import {
  createAppLogger,
  databasePathFromEnv,
  exitOnStartupError,
  listenAddressFromEnv,
  logLevelFromEnv,
  serve,
} from '@gatehouse/example-kit';
import { openTelemetryStore } from '@gatehouse/example-telemetry-store';
import { createApp } from './app.js';

const NAME = 'analytics-koa';
const DEFAULT_PORT = 4403;

try {
  const { port, host } = listenAddressFromEnv(process.env, DEFAULT_PORT);
  const logger = createAppLogger({ service: NAME, level: logLevelFromEnv(process.env) });
  const store = openTelemetryStore({ path: databasePathFromEnv(process.env), access: 'read-only' });
  const app = createApp({ store, logger });
  const server = createServer(app.callback());
  app.attachStreams(server);
  serve({
    name: NAME,
    server,
    port,
    host,
    details: `database ${store.path}`,
    stopping: () => app.gate.connections.closeAll(),
    close: async () => {
      await app.gate.close();
      store.close();
    },
  });
} catch (err) {
  exitOnStartupError(NAME, err);
}
