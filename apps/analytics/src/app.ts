/**
 * The analytics API on NestJS: reads the telemetry database that apps/ingestion writes. Same routes and
 * answers as apps/analytics-koa; both are thin routes over the store package's `createAnalytics`.
 */
import 'reflect-metadata';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { AnalyticsModule, type AnalyticsModuleOptions } from './app.module.js';
import { JsonErrorFilter } from './json-error.filter.js';

export interface AnalyticsNestConfig extends AnalyticsModuleOptions {
  /** Receives unexpected errors (answered 500). Default: `console.error`. */
  readonly onUnexpectedError?: (err: unknown) => void;
  /** Nest's own log levels. Default: none (main.ts asks for errors and warnings). */
  readonly nestLogLevels?: LogLevel[];
}

/**
 * Builds the Nest app (not yet listening). The body parser is off: no route reads a body, and Nest would
 * otherwise parse (and refuse) bodies before the Gatehouse guard runs.
 *
 * @example
 * ```ts
 * const app = await createApp({ provider, store: openTelemetryStore({ path, access: 'read-only' }) });
 * await app.listen(4402, '127.0.0.1');
 * ```
 */
export async function createApp(config: AnalyticsNestConfig): Promise<NestExpressApplication> {
  // Express reads its routing options when it creates its router, which Nest does early: configure the
  // instance before handing it over, so that routes are case-sensitive like in the other apps.
  const instance = express();
  instance.set('case sensitive routing', true);
  instance.disable('x-powered-by');
  const adapter = new ExpressAdapter(instance);
  const app = await NestFactory.create<NestExpressApplication>(AnalyticsModule.forRoot(config), adapter, {
    bodyParser: false,
    logger: config.nestLogLevels ?? false,
    abortOnError: false,
  });
  app.useGlobalFilters(new JsonErrorFilter(config.onUnexpectedError ?? ((err) => console.error(err))));
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });
  return app;
}
