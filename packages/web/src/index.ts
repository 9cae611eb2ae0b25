/**
 * @gatehouse/web: Gatehouse for the fetch API. A Web `Request` in, a `Decision` out, a ready `Response`
 * for refusals; on Node, Bun, Deno and Cloudflare workerd. `@gatehouse/hono` and the Next.js recipe are
 * built on it.
 */

export type { AuthContext, Decision } from '@gatehouse/core';
export { authOf } from '@gatehouse/core';
export type { ConnectionSource, GatehouseWebOptions, WebCheck, WebGatehouse } from './gate.js';
export { gatehouse } from './gate.js';
export { lazyGatehouse } from './lazy.js';
export { answerResponse, refusalResponse, withHeaders } from './response.js';
export { serverConnection } from './server-connection.js';
export type { WebConnection } from './view.js';
export { WebRequestView } from './view.js';
export type { ExecutionContextLike, Gated, WrapOptions } from './wrap.js';
export { guard, withGatehouse } from './wrap.js';
