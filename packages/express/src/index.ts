/**
 * @gatehouse/express: Gatehouse authentication for Express 5 (and 4). Reads the `Authorization` header,
 * asks `@gatehouse/core`, and puts the identity on `req.auth`.
 */

export type { AuthContext } from '@gatehouse/core';
export type { GatehouseExpressOptions, GatehouseMiddleware } from './middleware.js';
export { gatehouse } from './middleware.js';
