import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../fixture.js';
import { variant as lookup } from '../variants.js';

// Only the chosen variant's framework and library are loaded (see the dynamic imports below).

/**
 * One benchmark server: `node dist/servers/main.js <variant>`, configured by `BENCH_CONFIG` (JSON).
 * Listens on 127.0.0.1 (a free port) and prints `listening <port>` once ready.
 */
async function main(): Promise<void> {
  const variant = process.argv[2];
  if (variant === undefined) throw new Error('usage: main.js <variant>');
  const { framework } = lookup(variant);
  const config = JSON.parse(process.env.BENCH_CONFIG ?? '') as ServerConfig;

  let server: Server;
  if (framework === 'nest') {
    const { createNestApp } = await import('./nest-apps.js');
    const app = await createNestApp(variant, config);
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer() as Server;
  } else {
    // Each process loads only its own framework and library.
    const handler =
      framework === 'koa'
        ? (await (await import('./koa-apps.js')).createKoaApp(variant, config)).callback()
        : await (await import('./express-apps.js')).createExpressApp(variant, config);
    const { createServer } = await import('node:http');
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  // Same keep-alive for every variant (Node's default of 5 s would close idle load connections).
  server.keepAliveTimeout = 60_000;
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
