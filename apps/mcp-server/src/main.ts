/**
 * `npm start -w apps/mcp-server`: reads the environment (PORT, HOST, TELEMETRY_DATA_DIR, LOG_LEVEL;
 * Gatehouse reads GATEHOUSE_* itself), listens, and stops cleanly on SIGINT/SIGTERM. Bad configuration is one line on stderr and
 * exit 1.
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

const NAME = 'mcp-server';
const DEFAULT_PORT = 4406;

try {
  const { port, host } = listenAddressFromEnv(process.env, DEFAULT_PORT);
  const logger = createAppLogger({ service: NAME, level: logLevelFromEnv(process.env) });
  const store = openTelemetryStore({ path: databasePathFromEnv(process.env) });
  const server = createServer(createApp({ store, logger }));
  serve({
    name: NAME,
    server,
    port,
    host,
    details: `MCP at /mcp, database ${store.path}`,
    close: async () => store.close(),
  });
} catch (err) {
  exitOnStartupError(NAME, err);
}
