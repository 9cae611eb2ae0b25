import fastifyJwt from '@fastify/jwt';
import { gatehouse } from '@gatehouse/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import buildGetJwks from 'get-jwks';
import { BARE_SUBJECT, type ServerConfig } from '../fixture.js';
import { ALGORITHMS, gatehouseConfig } from './common.js';
import { createFloorVerifier } from './floor.js';

type Subject = (request: FastifyRequest) => string;

// The shape of every variant: the auth plugin or hook, then one route answering the subject.
function route(app: FastifyInstance, subject: Subject): FastifyInstance {
  app.get('/v1/whoami', async (request) => ({ subject: subject(request) }));
  return app;
}

export async function createFastifyApp(variant: string, config: ServerConfig): Promise<FastifyInstance> {
  const { issuer, audience } = config;
  const app = Fastify();
  switch (variant) {
    case 'fastify':
      return route(app, () => BARE_SUBJECT);
    case 'gatehouse-fastify':
      await app.register(gatehouse, gatehouseConfig(config));
      return route(app, (request) => request.auth!.subject);
    case 'fastify-jwt': {
      // @fastify/jwt's documented JWKS set-up: get-jwks finds the keys by discovery and caches them.
      const jwks = buildGetJwks({ providerDiscovery: true, issuersWhitelist: [issuer] });
      await app.register(fastifyJwt, {
        decode: { complete: true },
        secret: (
          _request: FastifyRequest,
          token: { header: { kid: string; alg: string }; payload: { iss: string } },
        ) => jwks.getPublicKey({ kid: token.header.kid, alg: token.header.alg, domain: token.payload.iss }),
        verify: { allowedIss: issuer, allowedAud: audience, algorithms: ALGORITHMS },
      } as never);
      app.addHook('onRequest', async (request, reply) => {
        try {
          await request.jwtVerify();
        } catch {
          await reply.code(401).send({ error: 'unauthorized' });
        }
      });
      return route(app, (request) => (request.user as { sub: string }).sub);
    }
    case 'floor-fastify': {
      const verify = await createFloorVerifier(config);
      const subjects = new WeakMap<FastifyRequest, string>();
      app.addHook('onRequest', (request, reply, done) => {
        const sub = verify(request.headers.authorization);
        if (sub === undefined) {
          void reply.code(401).send({ error: 'unauthorized' });
          return;
        }
        subjects.set(request, sub);
        done();
      });
      return route(app, (request) => subjects.get(request)!);
    }
    default:
      throw new Error(`unknown Fastify variant ${variant}`);
  }
}
