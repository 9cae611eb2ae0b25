import { createGatehouse, type Gatehouse, type GatehouseOptions } from '@gatehouse/core';
import {
  ConfigurableModuleBuilder,
  type DynamicModule,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { GatehouseAuthz } from './authz.service.js';
import { GatehouseGuard } from './guard.js';
import { gatehouseRoutes } from './routes.middleware.js';
import { GATEHOUSE } from './tokens.js';

/** Mounts the operational routes on the HTTP platform while Nest builds the app (before its body parser). */
const GATEHOUSE_ROUTES = Symbol.for('@gatehouse/nestjs:routes');

/** Options of `GatehouseModule.forRoot()`: those of `@gatehouse/core`'s `createGatehouse`. */
export type GatehouseModuleOptions = GatehouseOptions;

/** Module-level switches of `forRoot` / `forRootAsync`. */
export interface GatehouseModuleExtras {
  /** Register `GatehouseGuard` as a global guard (every route needs credentials unless `@Public()`). Default true. */
  globalGuard?: boolean;
  /** Make the module's providers visible everywhere. Default true. */
  isGlobal?: boolean;
}

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<GatehouseModuleOptions>({ moduleName: 'Gatehouse' })
    .setClassMethodName('forRoot')
    .setExtras<GatehouseModuleExtras>({ globalGuard: true, isGlobal: true }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
      providers: [
        ...(definition.providers ?? []),
        ...(extras.globalGuard ? [{ provide: APP_GUARD, useExisting: GatehouseGuard }] : []),
      ],
    }))
    .build();

/** Injection token of the options given to `forRoot` / `forRootAsync`. */
export const GATEHOUSE_MODULE_OPTIONS = MODULE_OPTIONS_TOKEN;

/**
 * The Gatehouse module. `forRoot()` takes the options of `@gatehouse/core` (every `GATEHOUSE_*` variable
 * fills what they leave out) and refuses to start when the configuration is missing or malformed;
 * `forRootAsync()` takes a factory (e.g. from `ConfigService`). The guard is global by default. With
 * `routes: true` the module also serves `/ready`, `/metrics`, the revocation admin routes and back-channel
 * logout.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [GatehouseModule.forRoot({ routes: true, realm: 'analytics' })],
 *   controllers: [AnalyticsController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: GATEHOUSE,
      useFactory: (options: GatehouseModuleOptions | undefined) => createGatehouse(options ?? {}),
      inject: [MODULE_OPTIONS_TOKEN],
    },
    {
      provide: GATEHOUSE_ROUTES,
      // The HTTP adapter is known when providers are built, before Nest registers its body parser and its
      // routes on it: the operational routes come first and read their own bodies. (No adapter: a testing
      // module without HTTP, nothing to serve.)
      useFactory: (gate: Gatehouse, host: HttpAdapterHost) => {
        if (gate.routes === undefined || host.httpAdapter === undefined) return false;
        host.httpAdapter.use(gatehouseRoutes(gate));
        return true;
      },
      inject: [GATEHOUSE, HttpAdapterHost],
    },
    GatehouseGuard,
    GatehouseAuthz,
  ],
  exports: [GATEHOUSE, GatehouseGuard, GatehouseAuthz],
})
export class GatehouseModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(
    @Inject(GATEHOUSE) private readonly gate: Gatehouse,
    // Asked for so that the routes are mounted whenever the module is.
    @Inject(GATEHOUSE_ROUTES) readonly routesMounted: boolean,
  ) {
    super();
  }

  /** Closes what the gate opened itself (the Redis connections of `redisUrl`) when the app shuts down. */
  onApplicationShutdown(): Promise<void> {
    return this.gate.close();
  }

  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: super keeps `this` bound to GatehouseModule, which the builder's factory uses as the module.
    return super.forRoot(options);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: as above.
    return super.forRootAsync(options);
  }
}
