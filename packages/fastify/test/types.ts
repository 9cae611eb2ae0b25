// Type-level test, checked by `tsc --noEmit`: request.auth is typed honestly (possibly undefined), authOf()
// gives it typed as present, route config and helpers are typed, nothing is `any`.
import type { AuthContext } from '@gatehouse/core';
import Fastify, { type FastifyRequest } from 'fastify';
import { authOf, gatehouse } from '../src/index.js';

const app = Fastify();
await app.register(gatehouse, { provider: { validateToken: async () => ({}) as AuthContext } });
app.get('/', { preHandler: [app.gatehouse.admin(), app.gatehouse.scopes('a')] }, async (request) => {
  // @ts-expect-error: request.auth may be undefined (public and optional routes)
  const unchecked: string = request.auth.subject;
  const maybe: AuthContext | undefined = request.auth;
  const subject: string = authOf(request).subject;
  // @ts-expect-error: AuthContext has no such field
  authOf(request).notAField;
  return { subject, unchecked, maybe };
});
app.get('/p', { config: { gatehouse: 'public' } }, async () => 'ok');
app.get('/s', { config: { gatehouse: { scopes: ['x'], orAdmin: true } } }, async () => 'ok');
// The authorization step: on the route's own step (config) or as a preHandler, from the typed request.
type ById = FastifyRequest<{ Params: { id: string } }>;
app.get(
  '/processes/:id',
  {
    config: {
      gatehouse: {
        authorize: { action: 'read', resource: (r) => ({ type: 'process', id: String(r.params) }) },
      },
    },
  },
  async () => 'ok',
);
app.get(
  '/processes/:id/logs',
  { preHandler: app.gatehouse.authorize('read', (r: ById) => ({ type: 'process', id: r.params.id })) },
  async () => 'ok',
);
