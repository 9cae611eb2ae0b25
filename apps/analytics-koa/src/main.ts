/**
 * `npm start -w apps/analytics-koa`: reads the environment (PORT, HOST, TELEMETRY_DATA_DIR, LOG_LEVEL, GATEHOUSE_*),
 * listens, and stops cleanly on SIGINT/SIGTERM. Bad configuration is one line on stderr and exit 1.
 */
import { createServer } from 'node:http';
import { createAuthProvider, loadConfigFromEnv } from '@gatehouse/core';
import {
  createAppLogger,
  createPrometheusMetrics,
  databasePathFromEnv,
  exitOnStartupError,
  listenAddressFromEnv,
  logLevelFromEnv,
  openTelemetryStore,
  serve,
  sharedGateOptions,
} from '@gatehouse/example-telemetry-store';
import { createApp } from './app.js';

const NAME = 'analytics-koa';
const DEFAULT_PORT = 4403;

try {
  const { port, host } = listenAddressFromEnv(process.env, DEFAULT_PORT);
  const logger = createAppLogger({ service: NAME, level: logLevelFromEnv(process.env) });
  const config = loadConfigFromEnv(process.env);
  const provider = createAuthProvider(config, { logger });
  const store = openTelemetryStore({ path: databasePathFromEnv(process.env), access: 'read-only' });
  const shared = sharedGateOptions(config);
  const metrics = createPrometheusMetrics({ service: NAME });
  const server = createServer(createApp({ provider, store, shared, logger, metrics }).callback());
  const details = `database ${store.path}${config.redisUrl ? ', shared state on Redis' : ''}`;
  const close = async () => {
    store.close();
    await shared.state?.close();
    await metrics.shutdown();
  };
  serve({ name: NAME, server, port, host, details, close });
} catch (err) {
  exitOnStartupError(NAME, err);
}
