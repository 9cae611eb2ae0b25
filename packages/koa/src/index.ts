/**
 * @gatehouse/koa: Gatehouse authentication for Koa 3 (and 2). Reads the `Authorization` header, asks
 * `@gatehouse/core`, and puts the identity on `ctx.state.auth`.
 */

export type { AuthContext } from '@gatehouse/core';
export type { GatehouseKoaMiddleware, GatehouseKoaOptions } from './middleware.js';
export { gatehouse } from './middleware.js';
