/**
 * @gatehouse/testkit (private, never published): one of each real part the tests, the bench and the demo
 * start: free loopback ports, the redis-server launcher, a Redis Cluster and a Sentinel deployment, the
 * test issuer (the dev IdP behind a counting proxy), the CLI sandbox, Debian's chromium, the example AuthZEN
 * PDP and Cerbos. The vitest
 * fixtures of the same parts are on `@gatehouse/testkit/vitest`.
 */
export { OWNERSHIP_POLICIES, startAuthzenPdp } from './authzen-pdp.js';
export type { Hex } from './browser.js';
export { CHROMIUM, hasChromium, launchChromium, screenshotPixels, stayOnLoopback } from './browser.js';
export type { BuiltPackage } from './build.js';
export { ensureBuilt, REPO_ROOT } from './build.js';
export { findCerbos, startCerbos } from './cerbos.js';
export type { CliResult, CliRunOptions, RunningCli } from './cli/run.js';
export {
  AUTHORIZATION_URL,
  BIN,
  HAS_SCRIPT,
  loginHeadlessly,
  runCli,
  runInTerminal,
  startCli,
} from './cli/run.js';
export type { Sandbox } from './cli/sandbox.js';
export {
  createSandbox,
  loginEnv,
  readTokenFile,
  serviceEnv,
  setAccessTokenExpiry,
  writeConfig,
} from './cli/sandbox.js';
export type { CountingProxy, SeenRequest } from './counting-proxy.js';
export { startCountingProxy } from './counting-proxy.js';
export type { HttpProcessOptions } from './http-process.js';
export { HttpProcess } from './http-process.js';
export type { TestIssuer } from './issuer.js';
export { startTestIssuer } from './issuer.js';
export { freePort, isPortFree, waitFor } from './ports.js';
export { hasRedisTopologies, redisCli } from './redis-cli.js';
export type { ClusterNode, RedisClusterOptions } from './redis-cluster.js';
export { RedisCluster } from './redis-cluster.js';
export type { RedisSentinelsOptions } from './redis-sentinel.js';
export { RedisSentinels } from './redis-sentinel.js';
export type { RedisServerOptions } from './redis-server.js';
export { findRedisServer, hasRedis, RedisServer, rawCommand } from './redis-server.js';
export type { RuntimeName } from './runtimes.js';
export { findRuntime, runtimeVersion } from './runtimes.js';
