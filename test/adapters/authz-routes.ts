/**
 * The authorization step's routes, the same on every framework (mounted by targets.ts when the gate is
 * configured with `authz`): one record per owner, its export (which needs a scope), and the list, filtered
 * with `gate.permitted`.
 */
import type { AuthContext, AuthzResource, Gatehouse } from '@gatehouse/core';
import type { GatehouseMiddleware } from '@gatehouse/express';
import type { GatehouseMiddleware as GatehouseHonoMiddleware } from '@gatehouse/hono';
import type { GatehouseKoaMiddleware } from '@gatehouse/koa';
import { Authorize, CurrentAuth, GatehouseAuthz } from '@gatehouse/nestjs';
import { type Gated, type WebGatehouse, withGatehouse } from '@gatehouse/web';
import type Router from '@koa/router';
import type { RouterContext as Context } from '@koa/router';
import { Controller, Get, Inject, Param } from '@nestjs/common';
import type { Express, Request } from 'express';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Hono, Context as HonoContext } from 'hono';

export const RECORD_OWNERS = ['legacy-service', 'admin-service', 'someone-else'] as const;

/** A record owned by an API key's name. */
export const record = (owner: string): AuthzResource => ({
  type: 'record',
  id: `r-${owner}`,
  owner: { subject: owner, issuer: 'api_key' },
});

const RECORDS = RECORD_OWNERS.map(record);

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** The list route's answer: the ids the identity may read, or core's answer to the refusal (a 503). */
async function listAnswer(gate: Gatehouse, auth: AuthContext): Promise<Answer> {
  try {
    const readable = await gate.permitted(auth, 'read', RECORDS);
    return { status: 200, headers: {}, body: { ids: readable.map((r) => r.id) } };
  } catch (err) {
    const answer = gate.respond(err);
    if (answer === undefined) throw err;
    return answer;
  }
}

type Params = { owner: string };

export function expressAuthzRoutes(app: Express, auth: GatehouseMiddleware): void {
  const of = (req: Request) => record(String(req.params.owner));
  app.get('/v1/records', (req, res, next) => {
    listAnswer(auth.gate, req.auth!).then((a) => void res.status(a.status).set(a.headers).json(a.body), next);
  });
  app.get('/v1/records/:owner', auth.authorize('read', of), (req, res) => void res.json({ id: of(req).id }));
  app.get('/v1/records/:owner/export', auth.authorize('export', of), (req, res) => {
    res.json({ exported: of(req).id });
  });
}

export function koaAuthzRoutes(router: Router, auth: GatehouseKoaMiddleware): void {
  const of = (ctx: Context) => record(String(ctx.params.owner));
  router.get('/v1/records', async (ctx) => {
    const answer = await listAnswer(auth.gate, ctx.state.auth!);
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
  });
  router.get('/v1/records/:owner', auth.authorize('read', of), (ctx) => {
    ctx.body = { id: of(ctx).id };
  });
  router.get('/v1/records/:owner/export', auth.authorize('export', of), (ctx) => {
    ctx.body = { exported: of(ctx).id };
  });
}

export function fastifyAuthzRoutes(app: FastifyInstance): void {
  const of = (request: FastifyRequest) => record((request.params as Params).owner);
  app.get('/v1/records', async (request, reply) => {
    const answer = await listAnswer(app.gatehouse.gate, request.auth!);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
  // On the route's own onRequest step (config), and as a preHandler helper.
  app.get(
    '/v1/records/:owner',
    { config: { gatehouse: { authorize: { action: 'read', resource: of } } } },
    async (request) => ({ id: of(request).id }),
  );
  app.get(
    '/v1/records/:owner/export',
    { preHandler: app.gatehouse.authorize('export', of) },
    async (request) => ({ exported: of(request).id }),
  );
}

export function honoAuthzRoutes(app: Hono, auth: GatehouseHonoMiddleware): void {
  const of = (c: HonoContext) => record(c.req.param('owner') ?? '');
  app.get('/v1/records', async (c) => {
    const answer = await listAnswer(auth.gate, c.get('auth')!);
    return c.json(answer.body, answer.status as 200, answer.headers);
  });
  app.get('/v1/records/:owner', auth.authorize('read', of), (c) => c.json({ id: of(c).id }));
  app.get('/v1/records/:owner/export', auth.authorize('export', of), (c) => c.json({ exported: of(c).id }));
}

// A fetch `Request` (this file's `Request` is Express's).
type WebRequest = globalThis.Request;

/** The fetch handlers of the records, by path, for a router that dispatches on `URL.pathname`. */
export function webAuthzRoutes(
  auth: WebGatehouse,
): (path: string) => ((request: WebRequest, context: unknown) => Promise<Response>) | undefined {
  const ownerOf = (request: WebRequest) => new URL(request.url).pathname.split('/')[3] ?? '';
  const of = (request: WebRequest) => record(ownerOf(request));
  const list = withGatehouse(auth, async (_request, gated: Gated) => {
    const answer = await listAnswer(auth.gate, gated.auth!);
    return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  });
  const one = withGatehouse(auth.authorize('read', of), (request) => Response.json({ id: of(request).id }));
  const exported = withGatehouse(auth.authorize('export', of), (request) =>
    Response.json({ exported: of(request).id }),
  );
  return (path) => {
    const parts = path.split('/');
    if (path === '/v1/records') return list;
    if (parts.length === 4 && parts[2] === 'records') return one;
    if (parts.length === 5 && parts[2] === 'records' && parts[4] === 'export') return exported;
    return undefined;
  };
}

@Controller('v1/records')
export class NestAuthzController {
  constructor(@Inject(GatehouseAuthz) private readonly authz: GatehouseAuthz) {}

  @Get()
  async list(@CurrentAuth() auth: AuthContext) {
    return { ids: (await this.authz.permitted(auth, 'read', RECORDS)).map((r) => r.id) };
  }

  @Authorize('read', (request) => record(request.params!.owner!))
  @Get(':owner')
  one(@Param('owner') owner: string) {
    return { id: record(owner).id };
  }

  @Authorize('export', (request) => record(request.params!.owner!))
  @Get(':owner/export')
  exportOne(@Param('owner') owner: string) {
    return { exported: record(owner).id };
  }
}
