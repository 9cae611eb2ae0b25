import { runStateConformance } from '@gatehouse/core/state/conformance';
import { hasRedis, RedisServer } from '@gatehouse/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createRedisState } from '../src/index.js';

// The one conformance suite on a real redis-server, killed and brought back with and without its data.
describe.skipIf(!hasRedis)('@gatehouse/redis on one server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start({ persistent: true });
  });
  afterAll(() => redis?.stop());

  runStateConformance({ describe, it }, 'the shared-state conformance suite', {
    shared: true,
    open: async (namespace) => {
      const state = createRedisState({ url: redis.url, keyPrefix: `${namespace}:` });
      if (!(await state.ready(10_000))) throw new Error('Redis state not ready');
      return state;
    },
    backend: {
      kill: () => redis.kill(),
      restart: ({ keepData }) => redis.restart({ keepData }),
    },
  });
});
