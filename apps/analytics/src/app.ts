/**
 * The analytics API on NestJS: reads the telemetry database that apps/ingestion writes. Same routes and
 * answers as apps/analytics-koa; both are thin routes over the store package's `createAnalytics`.
 */
import 'reflect-metadata';
import type { Gatehouse } from '@gatehouse/core';
import {
  createPrometheusMetrics,
  type PrometheusMetrics,
  requestLogging,
} from '@gatehouse/example-telemetry-store';
import { GATEHOUSE } from '@gatehouse/nestjs';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { AnalyticsModule, type AnalyticsModuleOptions } from './app.module.js';
import { JsonErrorFilter } from './json-error.filter.js';

export interface AnalyticsNestConfig extends AnalyticsModuleOptions {
  /** What `GET /metrics` serves, and where Gatehouse records. Default: a registry of the app's own. */
  readonly metrics?: PrometheusMetrics;
  /** Receives unexpected errors (answered 500). Default: `console.error`. */
  readonly onUnexpectedError?: (err: unknown) => void;
  /** Nest's own log levels. Default: none (main.ts asks for errors and warnings). */
  readonly nestLogLevels?: LogLevel[];
}

/**
 * Builds the Nest app (not yet listening). The body parser is off: no route reads a body, and Nest would
 * otherwise parse (and refuse) bodies before the Gatehouse guard runs. Building it starts fetching the
 * issuers' keys (`gate.warmUp()`): `/ready` answers 200 once they are loaded.
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
  // Before Nest's router: every line of a request, the guard's audit line included, has its id.
  if (config.logger) instance.use(requestLogging(config.logger));
  const adapter = new ExpressAdapter(instance);
  const metrics = config.metrics ?? createPrometheusMetrics({ service: 'analytics' });
  const module = AnalyticsModule.forRoot({ ...config, metrics });
  const app = await NestFactory.create<NestExpressApplication>(module, adapter, {
    bodyParser: false,
    logger: config.nestLogLevels ?? false,
    abortOnError: false,
  });
  app.useGlobalFilters(new JsonErrorFilter(config.onUnexpectedError ?? ((err) => console.error(err))));
  app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });
  void app.get<Gatehouse>(GATEHOUSE).warmUp();
  return app;
}
