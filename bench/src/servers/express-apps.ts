import { gatehouse } from '@gatehouse/express';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import { expressjwt } from 'express-jwt';
import { auth as oauth2Bearer } from 'express-oauth2-jwt-bearer';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwksRsa from 'jwks-rsa';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { BARE_SUBJECT, type ServerConfig } from '../fixture.js';
import { ALGORITHMS, gatehouseConfig, jwksOptions, metricsOn } from './common.js';
import { AUTHZ_VARIANTS, createExpressAuthzApp } from './express-authz.js';
import { createFloorVerifier } from './floor.js';
import { sharedStateOptions } from './shared-state.js';

// The shape of every variant: optional auth middleware, one route answering the subject, and an error
// handler that turns the library's errors into JSON with their status (what a real app adds).
function app(subject: (req: Request) => string, ...auth: RequestHandler[]): Express {
  const server = express();
  if (auth.length > 0) server.use(...auth);
  server.get('/v1/whoami', (req, res) => {
    res.json({ subject: subject(req) });
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const status = (err as { status?: number }).status ?? 500;
    res.status(status).json({ error: status === 401 ? 'unauthorized' : 'error' });
  };
  server.use(onError);
  return server;
}

type Locals = { sub?: string };
const localSubject = (req: Request) => (req.res!.locals as Locals).sub!;

export async function createExpressApp(variant: string, config: ServerConfig): Promise<Express> {
  const { issuer, audience } = config;
  if (variant in AUTHZ_VARIANTS) return createExpressAuthzApp(variant, config);
  switch (variant) {
    case 'express':
    case 'express-twin': // a second, identical process: how far two runs of the same code drift apart
      return app(() => BARE_SUBJECT);
    case 'express-noop': // for profiling: what any middleware costs in Express
      return app(
        () => BARE_SUBJECT,
        (_req, _res, next) => next(),
      );
    case 'gatehouse-express':
      return app((req) => req.auth!.subject, gatehouse(gatehouseConfig(config)));
    case 'gatehouse-express-otel':
      return app(
        (req) => req.auth!.subject,
        gatehouse({ ...gatehouseConfig(config), observability: metricsOn() }),
      );
    case 'express-jwt':
      return app(
        (req) => (req as unknown as { auth: { sub: string } }).auth.sub,
        expressjwt({
          secret: jwksRsa.expressJwtSecret(jwksOptions(config)) as never,
          audience,
          issuer,
          algorithms: ALGORITHMS as never,
        }),
      );
    case 'oauth2-jwt-bearer':
      return app(
        (req) => (req as unknown as { auth: { payload: { sub: string } } }).auth.payload.sub,
        oauth2Bearer({ issuerBaseURL: issuer, audience }),
      );
    case 'passport-jwt': {
      passport.use(
        new JwtStrategy(
          {
            jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
            secretOrKeyProvider: jwksRsa.passportJwtSecret(jwksOptions(config)),
            audience,
            issuer,
            algorithms: ALGORITHMS,
          },
          (payload: { sub: string }, done: (err: unknown, user?: unknown) => void) => done(null, payload),
        ),
      );
      return app(
        (req) => (req as unknown as { user: { sub: string } }).user.sub,
        passport.initialize(),
        passport.authenticate('jwt', { session: false }),
      );
    }
    case 'jose-express': {
      const jwks = createRemoteJWKSet(new URL(config.jwksUri));
      const joseAuth: RequestHandler = (req, res, next) => {
        const header = req.headers.authorization;
        if (header === undefined || !header.startsWith('Bearer ')) {
          res.status(401).json({ error: 'unauthorized' });
          return;
        }
        jwtVerify(header.slice(7), jwks, {
          issuer,
          audience,
          algorithms: ALGORITHMS,
          requiredClaims: ['sub'],
        }).then(
          ({ payload }) => {
            (res.locals as Locals).sub = payload.sub;
            next();
          },
          () => void res.status(401).json({ error: 'unauthorized' }),
        );
      };
      return app(localSubject, joseAuth);
    }
    case 'gatehouse-express-revocation':
    case 'gatehouse-express-ratelimit': {
      const shared = await sharedStateOptions(
        variant === 'gatehouse-express-revocation' ? 'revocation' : 'limits',
        config,
      );
      return app((req) => req.auth!.subject, gatehouse({ ...gatehouseConfig(config), ...shared }));
    }
    case 'floor-express': {
      const verify = await createFloorVerifier(config);
      const floorAuth: RequestHandler = (req, res, next) => {
        const sub = verify(req.headers.authorization);
        if (sub === undefined) {
          res.status(401).json({ error: 'unauthorized' });
          return;
        }
        (res.locals as Locals).sub = sub;
        next();
      };
      return app(localSubject, floorAuth);
    }
    default:
      throw new Error(`unknown Express variant ${variant}`);
  }
}
