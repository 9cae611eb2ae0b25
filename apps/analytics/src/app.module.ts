import { type AppLogger, createAnalytics, type TelemetryStore } from '@gatehouse/example-telemetry-store';
import { GatehouseModule, type GatehouseModuleOptions } from '@gatehouse/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { AdminController } from './controllers/admin.controller.js';
import { ApiController } from './controllers/api.controller.js';
import { HealthController } from './controllers/health.controller.js';
import { AdminNotFoundController, NotFoundController } from './controllers/not-found.controller.js';
import { ANALYTICS } from './tokens.js';

export interface AnalyticsModuleOptions {
  readonly store: TelemetryStore;
  /**
   * Gatehouse's options. Everything they leave out comes from the `GATEHOUSE_*` environment (main.ts gives
   * none); tests give credentials and `env: false`.
   */
  readonly gatehouse?: GatehouseModuleOptions;
  /** Gatehouse's audit line per decision (and, in `createApp`, one access line per request). */
  readonly logger?: AppLogger;
}

@Module({})
export class AnalyticsModule {
  /**
   * The whole app: Gatehouse's global guard in front of every controller, and the routes it serves itself
   * (`/ready`, `/metrics`, the revocation admin routes, back-channel logout).
   */
  static forRoot(options: AnalyticsModuleOptions): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [
        GatehouseModule.forRoot({
          routes: true,
          realm: 'analytics',
          logger: options.logger,
          ...options.gatehouse,
        }),
      ],
      // Order matters: the catch-all controllers come last.
      controllers: [
        HealthController,
        ApiController,
        AdminController,
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
