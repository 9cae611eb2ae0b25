/**
 * @gatehouse/testkit (private, never published): one of each real part the tests, the bench and the demo
 * start: free loopback ports and the redis-server launcher; the dev-IdP and CLI fixtures join it.
 */
export { findCerbos, startCerbos } from './cerbos.js';
export type { HttpProcessOptions } from './http-process.js';
export { HttpProcess } from './http-process.js';
export { freePort, isPortFree, waitFor } from './ports.js';
export type { RedisServerOptions } from './redis-server.js';
export { findRedisServer, hasRedis, RedisServer, rawCommand } from './redis-server.js';
