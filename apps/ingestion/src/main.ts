/**
 * `npm start -w apps/ingestion`: reads the environment (PORT, HOST, TELEMETRY_DATA_DIR, GATEHOUSE_*),
 * listens, and stops cleanly on SIGINT/SIGTERM. Bad configuration is one line on stderr and exit 1.
 */
import { createServer } from 'node:http';
import { createAuthProvider, loadConfigFromEnv } from '@gatehouse/core';
import {
  databasePathFromEnv,
  exitOnStartupError,
  listenAddressFromEnv,
  openTelemetryStore,
  serve,
  sharedGateOptions,
} from '@gatehouse/example-telemetry-store';
import { createApp } from './app.js';

const NAME = 'ingestion';
const DEFAULT_PORT = 4401;

try {
  const { port, host } = listenAddressFromEnv(process.env, DEFAULT_PORT);
  const config = loadConfigFromEnv(process.env);
  const provider = createAuthProvider(config);
  const store = openTelemetryStore({ path: databasePathFromEnv(process.env) });
  const shared = sharedGateOptions(config);
  const server = createServer(createApp({ provider, store, shared }));
  const details = `database ${store.path}${config.redisUrl ? ', shared state on Redis' : ''}`;
  const close = async () => {
    store.close();
    await shared.state?.close();
  };
  serve({ name: NAME, server, port, host, details, close });
} catch (err) {
  exitOnStartupError(NAME, err);
}
