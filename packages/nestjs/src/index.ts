/**
 * @gatehouse/nestjs: Gatehouse authentication for NestJS (Express platform; Fastify works too):
 * `GatehouseModule`, `GatehouseGuard`, `@Public()`, `@OptionalAuth()`, `@AdminOnly()`, `@RequireScopes()`, `@RequireAuth()`, `@StepUp()`,
 * `@Authorize()`, `GatehouseAuthz`, `@CurrentAuth()`.
 */

export type { AuthContext } from '@gatehouse/core';
export type { ResourceFinder } from './authorize.decorator.js';
export { Authorize, AuthorizeMetadata } from './authorize.decorator.js';
export { GatehouseAuthz } from './authz.service.js';
export {
  AdminOnly,
  CurrentAuth,
  OptionalAuth,
  Public,
  RequireAuth,
  RequireAuthMetadata,
  RequireScopes,
  ScopesMetadata,
  StepUp,
  StepUpMetadata,
} from './decorators.js';
export { GatehouseExceptionFilter } from './exception.filter.js';
export { GatehouseException } from './exception.js';
export type { GatehouseRequest, GatehouseResponse } from './guard.js';
export { GatehouseGuard } from './guard.js';
export type { GatehouseModuleExtras, GatehouseModuleOptions } from './module.js';
export { GATEHOUSE_MODULE_OPTIONS, GatehouseModule } from './module.js';
export type { PlatformMiddleware } from './routes.middleware.js';
export { gatehouseRoutes } from './routes.middleware.js';
export { GATEHOUSE } from './tokens.js';
