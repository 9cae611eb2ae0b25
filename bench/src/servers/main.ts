import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../fixture.js';
import { serveVariant, serveVariantOnBun } from './serve.js';

/**
 * One benchmark server: `node dist/servers/main.js <variant>` (`bun …` for the Bun variants), configured
 * by `BENCH_CONFIG` (JSON).
 * Listens on 127.0.0.1 (a free port) and prints `listening <port>` once ready.
 */
async function main(): Promise<void> {
  const variant = process.argv[2];
  if (variant === undefined) throw new Error('usage: main.js <variant>');
  const config = JSON.parse(process.env.BENCH_CONFIG ?? '') as ServerConfig;
  if ('Bun' in globalThis) {
    process.stdout.write(`listening ${await serveVariantOnBun(variant, config)}\n`);
    return;
  }
  const server = await serveVariant(variant, config);
  // Same keep-alive for every variant (Node's default of 5 s would close idle load connections).
  server.keepAliveTimeout = 60_000;
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
