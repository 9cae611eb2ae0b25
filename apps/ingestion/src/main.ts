/**
 * `npm start -w apps/ingestion`: reads the environment (PORT, HOST, GRPC_PORT, TELEMETRY_DATA_DIR,
 * LOG_LEVEL, AUTHZEN_PDP_URL; Gatehouse reads GATEHOUSE_* itself), listens (HTTP and WebSocket on PORT, gRPC on
 * GRPC_PORT), and stops cleanly on SIGINT/SIGTERM. Bad configuration is one line on stderr and exit 1.
 */
import { createServer } from 'node:http';
import {
  APP_ENV,
  createAppLogger,
  databasePathFromEnv,
  EnvError,
  exitOnStartupError,
  listenAddressFromEnv,
  logLevelFromEnv,
  portFromEnv,
  serve,
} from '@gatehouse/example-kit';
import { openTelemetryStore } from '@gatehouse/example-telemetry-store';
import { createApp } from './app.js';
import { createIngestGrpcServer, listenGrpc } from './grpc.js';

const NAME = 'ingestion';
const DEFAULT_PORT = 4401;
// gRPC listens 10 ports above HTTP unless GRPC_PORT says otherwise (4411 by default), so that instances on
// different ports never collide; with PORT=0 it takes a free port too.
const grpcPortAfter = (port: number) => (port === 0 || port + 10 > 65535 ? 0 : port + 10);

async function main(): Promise<void> {
  const { port, host } = listenAddressFromEnv(process.env, DEFAULT_PORT);
  const grpcPort = portFromEnv(process.env, APP_ENV.grpcPort, grpcPortAfter(port));
  const logger = createAppLogger({ service: NAME, level: logLevelFromEnv(process.env) });
  const store = openTelemetryStore({ path: databasePathFromEnv(process.env) });
  // The PDP that decides who reads whose processes; apps/authzen-pdp's default address when unset.
  const pdpUrl = process.env[APP_ENV.pdpUrl]?.trim() || undefined;
  const app = createApp({ store, logger, pdpUrl });
  const server = createServer(app);
  app.attachStreams(server);
  const grpc = createIngestGrpcServer({ store, gate: app.gate });
  const boundGrpc = await listenGrpc(grpc, host, grpcPort).catch((err: Error) => {
    throw new EnvError(
      `cannot listen for gRPC on ${host}:${grpcPort} (set ${APP_ENV.grpcPort}): ${err.message}`,
    );
  });
  const grpcAddress = `${host.includes(':') ? `[${host}]` : host}:${boundGrpc}`;
  serve({
    name: NAME,
    server,
    port,
    host,
    details: `database ${store.path}; gRPC on ${grpcAddress}`,
    // Open WebSockets and gRPC streams end first (1001 / UNAVAILABLE "shutdown"), then the servers.
    stopping: () => app.gate.connections.closeAll(),
    close: async () => {
      await new Promise<void>((resolve) => grpc.tryShutdown(() => resolve()));
      await app.gate.close();
      store.close();
    },
  });
}

main().catch((err: unknown) => exitOnStartupError(NAME, err));
