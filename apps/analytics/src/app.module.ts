import { type AppLogger } from '@gatehouse/example-kit';
import {
  createAnalytics,
  LiveFeed,
  OWNERSHIP_RULES,
  type TelemetryStore,
} from '@gatehouse/example-telemetry-store';
import { GatehouseModule, type GatehouseModuleOptions } from '@gatehouse/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { AdminController } from './controllers/admin.controller.js';
import { ApiController } from './controllers/api.controller.js';
import { HealthController } from './controllers/health.controller.js';
import { AdminNotFoundController, NotFoundController } from './controllers/not-found.controller.js';
import { StreamGateway } from './stream.gateway.js';
import { ANALYTICS, LIVE_FEED, STORE } from './tokens.js';

export interface AnalyticsModuleOptions {
  readonly store: TelemetryStore;
  /**
   * Gatehouse's options. Everything they leave out comes from the `GATEHOUSE_*` environment (main.ts gives
   * none); tests give credentials and `env: false`. `authz` defaults to {@link OWNERSHIP_RULES}.
   */
  readonly gatehouse?: GatehouseModuleOptions;
  /** Gatehouse's audit line per decision (and, in `createApp`, one access line per request). */
  readonly logger?: AppLogger;
}

@Module({})
export class AnalyticsModule {
  /**
   * The whole app: Gatehouse's global guard in front of every controller, and the routes it serves itself
   * (`/ready`, `/metrics`, the revocation admin routes, back-channel logout), and the `/v1/stream`
   * gateway of live updates.
   */
  static forRoot(options: AnalyticsModuleOptions): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [
        GatehouseModule.forRoot({
          routes: true,
          realm: 'analytics',
          logger: options.logger,
          authz: OWNERSHIP_RULES,
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
        { provide: STORE, useValue: options.store },
        {
          provide: ANALYTICS,
          useValue: createAnalytics(options.store, { service: 'analytics', framework: 'nestjs' }),
        },
        { provide: LIVE_FEED, useValue: new LiveFeed(options.store) },
        StreamGateway,
      ],
    };
  }
}
