/**
 * The analytics API on NestJS: reads the telemetry database that apps/ingestion writes. Same routes and
 * answers as apps/analytics-koa; both are thin routes over the store package's `createAnalytics`.
 */
import 'reflect-metadata';
import { requestLogging } from '@gatehouse/example-kit';
import { GatehouseWsAdapter } from '@gatehouse/nestjs/ws';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { AnalyticsModule, type AnalyticsModuleOptions } from './app.module.js';
import { JsonErrorFilter } from './json-error.filter.js';
import { STREAM_EVENT } from './stream.gateway.js';

export interface AnalyticsNestConfig extends AnalyticsModuleOptions {
  /** Receives unexpected errors (answered 500). Default: `console.error`. */
  readonly onUnexpectedError?: (err: unknown) => void;
  /** Nest's own log levels. Default: none (main.ts asks for errors and warnings). */
  readonly nestLogLevels?: LogLevel[];
}

/**
 * Builds the Nest app (not yet listening). The body parser is off: no business route reads a body, and Nest
 * would otherwise parse (and refuse) bodies before the Gatehouse guard runs; the routes Gatehouse serves
 * read their own.
 *
 * @example
 * ```ts
 * const app = await createApp({ store: openTelemetryStore({ path, access: 'read-only' }) });
 * await app.listen(4402, '127.0.0.1');
 * ```
 */
export async function createApp(config: AnalyticsNestConfig): Promise<NestExpressApplication> {
  // Express reads its routing options when it creates its router, which Nest does early: configure the
  // instance before handing it over, so that routes are case-sensitive like in the other apps.
  const instance = express();
  instance.set('case sensitive routing', true);
  instance.disable('x-powered-by');
  // Before Nest's router: every line of a request, the guard's audit line included, has its id.
  if (config.logger) instance.use(requestLogging(config.logger));
  const adapter = new ExpressAdapter(instance);
  const module = AnalyticsModule.forRoot(config);
  const app = await NestFactory.create<NestExpressApplication>(module, adapter, {
    bodyParser: false,
    // Silent while it is built: a configuration error reaches main.ts, which prints it as one line.
    logger: false,
    abortOnError: false,
  });
  app.useLogger(config.nestLogLevels ?? false);
  // GET /v1/stream: upgrades go through Gatehouse first; every message goes to the gateway's one handler.
  app.useWebSocketAdapter(
    new GatehouseWsAdapter(app, { messageParser: (data) => ({ event: STREAM_EVENT, data }) }),
  );
  app.useGlobalFilters(new JsonErrorFilter(config.onUnexpectedError ?? ((err) => console.error(err))));
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });
  return app;
}
