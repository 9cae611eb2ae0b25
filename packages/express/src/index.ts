/**
 * @gatehouse/express: Gatehouse authentication for Express 5 (and 4). Maps each request into
 * `@gatehouse/core`'s pipeline and puts the identity on `req.auth`.
 */

export type { AuthContext } from '@gatehouse/core';
export { authOf } from '@gatehouse/core';
export type { GatehouseExpressOptions, GatehouseMiddleware } from './middleware.js';
export { gatehouse } from './middleware.js';
