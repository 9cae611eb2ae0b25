import { useVerificationBackend } from '@gatehouse/core';
import { authOf, gatehouse } from '@gatehouse/hono';
import { Hono } from 'hono';
import { jwk } from 'hono/jwk';
import { BARE_SUBJECT, type ServerConfig } from '../fixture.js';
import { gatehouseConfig } from './common.js';

// The shape of every variant: the auth middleware, then one route answering the subject. The same app on
// Node (@hono/node-server) and on Bun (Bun.serve): only the variant's runtime differs.
export function createHonoApp(variant: string, config: ServerConfig): Hono {
  const app = new Hono();
  switch (variant.replace(/-bun$/, '')) {
    case 'hono':
      app.get('/v1/whoami', (c) => c.json({ subject: BARE_SUBJECT }));
      return app;
    case 'hono-noop': // for profiling: what any middleware costs in Hono (its compose chain)
      app.use((_c, next) => next());
      app.get('/v1/whoami', (c) => c.json({ subject: BARE_SUBJECT }));
      return app;
    case 'gatehouse-hono-webcrypto':
      // Every key this gate imports is verified by crypto.subtle, as where node:crypto is missing.
      useVerificationBackend('webcrypto');
      return gatehoused(app, config);
    case 'gatehouse-hono':
      return gatehoused(app, config);
    case 'hono-jwk': {
      // Hono's own JWK middleware, as its documentation sets it up; it fetches jwks_uri on every request.
      const app = new Hono<{ Variables: { jwtPayload: { sub: string } } }>();
      app.use(
        jwk({
          jwks_uri: config.jwksUri,
          alg: ['RS256', 'ES256'],
          verification: { iss: config.issuer, aud: config.audience, typ: 'at+jwt' },
        }),
      );
      app.get('/v1/whoami', (c) => c.json({ subject: c.get('jwtPayload').sub }));
      return app as unknown as Hono;
    }
    default:
      throw new Error(`unknown Hono variant ${variant}`);
  }
}

function gatehoused(app: Hono, config: ServerConfig): Hono {
  app.use(gatehouse(gatehouseConfig(config)));
  app.get('/v1/whoami', (c) => c.json({ subject: authOf(c).subject }));
  return app;
}
