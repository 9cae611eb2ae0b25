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
