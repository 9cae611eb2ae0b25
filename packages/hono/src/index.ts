/**
 * @gatehouse/hono: Gatehouse authentication for Hono 4, on Node (`@hono/node-server`), Bun, Deno and
 * Cloudflare workerd. Maps each request into `@gatehouse/core`'s pipeline (through `@gatehouse/web`) and
 * puts the identity on `c.get('auth')`.
 */

export type { AuthContext } from '@gatehouse/core';
export type {
  GatehouseEnv,
  GatehouseHonoOptions,
  GatehouseMiddleware,
  GatehouseVariables,
} from './middleware.js';
export { authOf, gatehouse } from './middleware.js';
