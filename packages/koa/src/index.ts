/**
 * @gatehouse/koa: Gatehouse authentication for Koa 3 (and 2). Maps each request into
 * `@gatehouse/core`'s pipeline and puts the identity on `ctx.state.auth`.
 */

export type { AuthContext } from '@gatehouse/core';
export type { GatehouseKoaMiddleware, GatehouseKoaOptions } from './middleware.js';
export { authOf, gatehouse } from './middleware.js';
