import type { AuditLogger, AuthProvider } from '@gatehouse/core';
import {
  createAnalytics,
  type SharedGateOptions,
  type TelemetryStore,
} from '@gatehouse/example-telemetry-store';
import { GatehouseModule } from '@gatehouse/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { AdminController } from './controllers/admin.controller.js';
import { ApiController } from './controllers/api.controller.js';
import { HealthController } from './controllers/health.controller.js';
import { AdminNotFoundController, NotFoundController } from './controllers/not-found.controller.js';
import { BackchannelLogoutController, RevocationsController } from './controllers/revocations.controller.js';
import { ANALYTICS } from './tokens.js';

export interface AnalyticsModuleOptions {
  readonly provider: AuthProvider;
  readonly store: TelemetryStore;
  readonly logger?: AuditLogger;
  /** Shared state (Redis), rate limits, failed-auth throttling (`sharedGateOptions(config)`). */
  readonly shared?: SharedGateOptions;
}

@Module({})
export class AnalyticsModule {
  /** The whole app: Gatehouse's global guard in front of every controller. */
  static forRoot(options: AnalyticsModuleOptions): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [
        GatehouseModule.forRoot({
          ...options.shared,
          provider: options.provider,
          realm: 'analytics',
          publicPaths: ['/health', '/v1/backchannel-logout'],
          logger: options.logger,
        }),
      ],
      // Order matters: the catch-all controllers come last.
      controllers: [
        HealthController,
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
      ],
    };
  }
}
