import { gatehouse } from '@gatehouse/koa';
import jwksRsa from 'jwks-rsa';
import Koa, { type Context, type Middleware } from 'koa';
import koaJwt from 'koa-jwt';
import { BARE_SUBJECT, type ServerConfig } from '../fixture.js';
import { ALGORITHMS, gatehouseConfig, jwksOptions, metricsOn } from './common.js';
import { createFloorVerifier } from './floor.js';

function app(subject: (ctx: Context) => string, auth?: Middleware): Koa {
  const server = new Koa();
  if (auth) server.use(auth);
  server.use((ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/v1/whoami') ctx.body = { subject: subject(ctx) };
    else ctx.status = 404;
  });
  return server;
}

export async function createKoaApp(variant: string, config: ServerConfig): Promise<Koa> {
  const { issuer, audience } = config;
  switch (variant) {
    case 'koa':
    case 'koa-twin': // a second, identical process: how far two runs of the same code drift apart
      return app(() => BARE_SUBJECT);
    case 'koa-noop': // for profiling: what any middleware costs in Koa
      return app(
        () => BARE_SUBJECT,
        (_ctx, next) => next(),
      );
    case 'gatehouse-koa':
      return app((ctx) => ctx.state.auth!.subject, gatehouse(gatehouseConfig(config)));
    case 'gatehouse-koa-otel':
      return app(
        (ctx) => ctx.state.auth!.subject,
        gatehouse({ ...gatehouseConfig(config), observability: metricsOn() }),
      );
    case 'koa-jwt':
      return app(
        (ctx) => (ctx.state as unknown as { user: { sub: string } }).user.sub,
        koaJwt({
          secret: jwksRsa.koaJwtSecret(jwksOptions(config)),
          audience,
          issuer,
          algorithms: ALGORITHMS,
        }),
      );
    case 'floor-koa': {
      const verify = await createFloorVerifier(config);
      return app(
        (ctx) => ctx.state.floorSubject as string,
        (ctx, next) => {
          const sub = verify(ctx.get('authorization') || undefined);
          if (sub === undefined) {
            ctx.status = 401;
            ctx.body = { error: 'unauthorized' };
            return;
          }
          ctx.state.floorSubject = sub;
          return next();
        },
      );
    }
    default:
      throw new Error(`unknown Koa variant ${variant}`);
  }
}
