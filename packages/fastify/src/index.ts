/**
 * @gatehouse/fastify: Gatehouse authentication for Fastify 5, as a plugin. Maps each request into
 * `@gatehouse/core`'s pipeline and puts the identity on `request.auth`.
 */

export type { AuthContext } from '@gatehouse/core';
export type { GatehouseFastifyOptions, GatehouseHook, GatehouseRouteConfig } from './plugin.js';
export { authOf, gatehouse } from './plugin.js';
export type { GatehouseWebSocketOptions } from './websocket.js';
