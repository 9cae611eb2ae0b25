import { createServer, type Server } from 'node:http';
import type { ServerConfig } from '../fixture.js';
import { variant as lookup } from '../variants.js';

/**
 * Builds `variant` and has it listen on 127.0.0.1 (a free port). Only the variant's framework module is
 * loaded (dynamic imports), with the libraries of that framework's variants.
 */
export async function serveVariant(variant: string, config: ServerConfig): Promise<Server> {
  const { framework } = lookup(variant);
  if (framework === 'nest') {
    const app = await (await import('./nest-apps.js')).createNestApp(variant, config);
    await app.listen(0, '127.0.0.1');
    return app.getHttpServer() as Server;
  }
  if (framework === 'hono') {
    const { createAdaptorServer } = await import('@hono/node-server');
    const app = (await import('./hono-apps.js')).createHonoApp(variant, config);
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }
  if (framework === 'fastify') {
    const app = await (await import('./fastify-apps.js')).createFastifyApp(variant, config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server;
  }
  const handler =
    framework === 'koa'
      ? (await (await import('./koa-apps.js')).createKoaApp(variant, config)).callback()
      : await (await import('./express-apps.js')).createExpressApp(variant, config);
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Bun's own server (`Bun.serve`) for a Hono variant, when this process runs on Bun; answers its port. */
export async function serveVariantOnBun(variant: string, config: ServerConfig): Promise<number> {
  const bun = (globalThis as { Bun?: BunServe }).Bun;
  if (bun === undefined || lookup(variant).framework !== 'hono') {
    throw new Error(`${variant} does not run on Bun`);
  }
  const app = (await import('./hono-apps.js')).createHonoApp(variant, config);
  return bun.serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', idleTimeout: 60 }).port;
}

interface BunServe {
  serve(options: {
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
    port: number;
    hostname: string;
    idleTimeout: number;
  }): { port: number };
}
