import type { AuthProvider } from '@gatehouse/core';
import {
  type AppLogger,
  createAnalytics,
  type PrometheusMetrics,
  type SharedGateOptions,
  type TelemetryStore,
} from '@gatehouse/example-telemetry-store';
import { GatehouseModule } from '@gatehouse/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { AdminController } from './controllers/admin.controller.js';
import { ApiController } from './controllers/api.controller.js';
import { HealthController } from './controllers/health.controller.js';
import { MetricsController } from './controllers/metrics.controller.js';
import { AdminNotFoundController, NotFoundController } from './controllers/not-found.controller.js';
import { BackchannelLogoutController, RevocationsController } from './controllers/revocations.controller.js';
import { ANALYTICS, METRICS } from './tokens.js';

export interface AnalyticsModuleOptions {
  readonly provider: AuthProvider;
  readonly store: TelemetryStore;
  /** Gatehouse's audit line per decision (and, in `createApp`, one access line per request). */
  readonly logger?: AppLogger;
  /** Shared state (Redis), rate limits, failed-auth throttling (`sharedGateOptions(config)`). */
  readonly shared?: SharedGateOptions;
}

/** What the module needs once `createApp` settled the defaults. */
export interface AnalyticsModuleSettings extends AnalyticsModuleOptions {
  readonly metrics: PrometheusMetrics;
}

@Module({})
export class AnalyticsModule {
  /** The whole app: Gatehouse's global guard in front of every controller. */
  static forRoot(options: AnalyticsModuleSettings): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [
        GatehouseModule.forRoot({
          ...options.shared,
          provider: options.provider,
          realm: 'analytics',
          publicPaths: ['/health', '/ready', '/v1/backchannel-logout'],
          logger: options.logger,
          observability: { meterProvider: options.metrics.meterProvider },
        }),
      ],
      // Order matters: the catch-all controllers come last.
      controllers: [
        HealthController,
        MetricsController,
        ApiController,
        AdminController,
        RevocationsController,
        BackchannelLogoutController,
        AdminNotFoundController,
        NotFoundController,
      ],
      providers: [
        {
          provide: ANALYTICS,
          useValue: createAnalytics(options.store, { service: 'analytics', framework: 'nestjs' }),
        },
        { provide: METRICS, useValue: options.metrics },
      ],
    };
  }
}
