/**
 * @gatehouse/nestjs: Gatehouse authentication for NestJS (Express platform; Fastify works too):
 * `GatehouseModule`, `GatehouseGuard`, `@Public()`, `@OptionalAuth()`, `@AdminOnly()`, `@RequireScopes()`,
 * `@CurrentAuth()`.
 */

export type { AuthContext } from '@gatehouse/core';
export { AdminOnly, CurrentAuth, OptionalAuth, Public, RequireScopes, ScopesMetadata } from './decorators.js';
export { GatehouseException } from './exception.js';
export { GatehouseGuard } from './guard.js';
export type { GatehouseModuleExtras, GatehouseModuleOptions } from './module.js';
export { GATEHOUSE_MODULE_OPTIONS, GatehouseModule } from './module.js';
export { GATEHOUSE } from './tokens.js';
