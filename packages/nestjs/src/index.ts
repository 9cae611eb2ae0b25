/**
 * @gatehouse/nestjs: Gatehouse authentication for NestJS (Express platform; Fastify works too):
 * `GatehouseModule`, `GatehouseGuard`, `@Public()`, `@OptionalAuth()`, `@AdminOnly()`, `@RequireScopes()`, `@RequireAuth()`,
 * `@CurrentAuth()`.
 */

export type { AuthContext } from '@gatehouse/core';
export {
  AdminOnly,
  CurrentAuth,
  OptionalAuth,
  Public,
  RequireAuth,
  RequireAuthMetadata,
  RequireScopes,
  ScopesMetadata,
} from './decorators.js';
export { GatehouseException } from './exception.js';
export type { GatehouseRequest, GatehouseResponse } from './guard.js';
export { GatehouseGuard } from './guard.js';
export type { GatehouseModuleExtras, GatehouseModuleOptions } from './module.js';
export { GATEHOUSE_MODULE_OPTIONS, GatehouseModule } from './module.js';
export type { PlatformMiddleware } from './routes.middleware.js';
export { gatehouseRoutes } from './routes.middleware.js';
export { GATEHOUSE } from './tokens.js';
