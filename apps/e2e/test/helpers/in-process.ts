/**
 * The three apps built from their sources in this process (`createApp`), listening on 127.0.0.1:0. Fast,
 * and enough for the HTTP contract; the process tests run the built apps as real processes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatehouseOptions } from '@gatehouse/core';
import type { AppLogger } from '@gatehouse/example-kit';
import type { TelemetryStore } from '@gatehouse/example-telemetry-store';
import { createApp as createAnalytics } from '../../../analytics/src/app.js';
import { createApp as createAnalyticsKoa } from '../../../analytics-koa/src/app.js';
import { createApp as createIngestion } from '../../../ingestion/src/app.js';

export const APP_NAMES = ['ingestion', 'analytics', 'analytics-koa'] as const;
export type AppName = (typeof APP_NAMES)[number];

export interface InProcessConfig {
  /** Gatehouse's options (with `env: false`, the test process's environment is not read). */
  readonly gatehouse: GatehouseOptions;
  readonly store: TelemetryStore;
  readonly onUnexpectedError?: (err: unknown) => void;
  readonly logger?: AppLogger;
}

export interface RunningApp {
  readonly name: AppName;
  readonly url: string;
  close(): Promise<void>;
}

export async function startInProcess(name: AppName, config: InProcessConfig): Promise<RunningApp> {
  if (name === 'analytics') {
    const app = await createAnalytics(config);
    await app.listen(0, '127.0.0.1');
    return { name, url: urlOf(app.getHttpServer()), close: () => app.close() };
  }
  const app = name === 'ingestion' ? createIngestion(config) : createAnalyticsKoa(config);
  const server = createServer('callback' in app ? app.callback() : app);
  // GET /v1/stream (WebSocket upgrades) on the same server, as main.ts does.
  app.attachStreams(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    url: urlOf(server),
    close: () =>
      new Promise<void>((resolve) => {
        app.gate.connections.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
