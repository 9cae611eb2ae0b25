/**
 * @gatehouse/testkit (private, never published): one of each real part the tests, the bench and the demo
 * start: free loopback ports, the redis-server launcher, a Redis Cluster and a Sentinel deployment, the
 * example AuthZEN PDP and Cerbos; the dev-IdP and CLI fixtures join it.
 */
export { OWNERSHIP_POLICIES, startAuthzenPdp } from './authzen-pdp.js';
export { findCerbos, startCerbos } from './cerbos.js';
export type { HttpProcessOptions } from './http-process.js';
export { HttpProcess } from './http-process.js';
export { freePort, isPortFree, waitFor } from './ports.js';
export { redisCli } from './redis-cli.js';
export type { ClusterNode, RedisClusterOptions } from './redis-cluster.js';
export { RedisCluster } from './redis-cluster.js';
export type { RedisSentinelsOptions } from './redis-sentinel.js';
export { RedisSentinels } from './redis-sentinel.js';
export type { RedisServerOptions } from './redis-server.js';
export { findRedisServer, hasRedis, RedisServer, rawCommand } from './redis-server.js';
