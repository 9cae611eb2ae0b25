import { createGatehouse, type GatehouseOptions } from '@gatehouse/core';
import { ConfigurableModuleBuilder, type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GatehouseGuard } from './guard.js';
import { GATEHOUSE } from './tokens.js';

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
 * The Gatehouse module. `forRoot()` with no options configures itself from the `GATEHOUSE_*` environment and
 * refuses to start when that is missing or malformed; `forRootAsync()` takes a factory (e.g. from
 * `ConfigService`). The guard is global by default.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [GatehouseModule.forRoot({ realm: 'analytics' })],
 *   controllers: [AnalyticsController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  providers: [
    {
      provide: GATEHOUSE,
      useFactory: (options: GatehouseModuleOptions | undefined) => createGatehouse(options ?? {}),
      inject: [MODULE_OPTIONS_TOKEN],
    },
    GatehouseGuard,
  ],
  exports: [GATEHOUSE, GatehouseGuard],
})
export class GatehouseModule extends ConfigurableModuleClass {
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: super keeps `this` bound to GatehouseModule, which the builder's factory uses as the module.
    return super.forRoot(options);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    // biome-ignore lint/complexity/noThisInStatic: as above.
    return super.forRootAsync(options);
  }
}
