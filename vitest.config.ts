import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources of the workspace packages (no build needed for unit and
// adapter tests). Tests that need built output (packed tarballs, app processes) build it themselves
// or rely on `npm test`, which builds first.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@gatehouse\/core$/, replacement: src('./packages/core/src/index.ts') },
      {
        find: /^@gatehouse\/core\/state\/conformance$/,
        replacement: src('./packages/core/src/state/conformance/index.ts'),
      },
      { find: /^@gatehouse\/core\/state$/, replacement: src('./packages/core/src/state/index.ts') },
      { find: /^@gatehouse\/express$/, replacement: src('./packages/express/src/index.ts') },
      { find: /^@gatehouse\/koa$/, replacement: src('./packages/koa/src/index.ts') },
      { find: /^@gatehouse\/fastify$/, replacement: src('./packages/fastify/src/index.ts') },
      { find: /^@gatehouse\/nestjs$/, replacement: src('./packages/nestjs/src/index.ts') },
      { find: /^@gatehouse\/nestjs\/ws$/, replacement: src('./packages/nestjs/src/ws.ts') },
      { find: /^@gatehouse\/nestjs\/socket\.io$/, replacement: src('./packages/nestjs/src/socket-io.ts') },
      { find: /^@gatehouse\/web$/, replacement: src('./packages/web/src/index.ts') },
      { find: /^@gatehouse\/hono$/, replacement: src('./packages/hono/src/index.ts') },
      { find: /^@gatehouse\/redis$/, replacement: src('./packages/redis/src/index.ts') },
      { find: /^@gatehouse\/client$/, replacement: src('./packages/client/src/index.ts') },
      { find: /^@gatehouse\/dev-idp$/, replacement: src('./apps/dev-idp/src/index.ts') },
      { find: /^@gatehouse\/demo$/, replacement: src('./apps/demo/src/index.ts') },
      { find: /^@gatehouse\/testkit$/, replacement: src('./packages/testkit/src/index.ts') },
      { find: /^@gatehouse\/testkit\/vitest$/, replacement: src('./packages/testkit/src/fixtures.ts') },
      { find: /^@gatehouse\/grpc$/, replacement: src('./packages/grpc/src/index.ts') },
    ],
  },
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
