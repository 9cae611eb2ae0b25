import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthContext, AuthProvider, GatehouseOptions } from '@gatehouse/core';
import { ACR_MFA } from '@gatehouse/dev-idp';
import { authOf as expressAuthOf, gatehouse as expressGatehouse } from '@gatehouse/express';
import { authOf as fastifyAuthOf, gatehouse as fastifyGatehouse } from '@gatehouse/fastify';
import { authOf as honoAuthOf, gatehouse as honoGatehouse } from '@gatehouse/hono';
import { authOf as koaAuthOf, gatehouse as koaGatehouse } from '@gatehouse/koa';
import {
  AdminOnly,
  CurrentAuth,
  GatehouseExceptionFilter,
  GatehouseModule,
  OptionalAuth,
  Public,
  RequireScopes,
  StepUp,
} from '@gatehouse/nestjs';
import { type Gated, authOf as webAuthOf, gatehouse as webGatehouse, withGatehouse } from '@gatehouse/web';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import Router from '@koa/router';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import Koa2 from 'koa2';
import {
  expressAuthzRoutes,
  fastifyAuthzRoutes,
  honoAuthzRoutes,
  koaAuthzRoutes,
  NestAuthzController,
  webAuthzRoutes,
} from './authz-routes.js';

/** The step-up of `GET /v1/step-up` (RFC 9470): the dev IdP's second-factor login, at most 300 s old. */
export const STEP_UP = { acr: [ACR_MFA], maxAge: 300 } as const;

/** The same routes on every framework: the contract's, plus optional, scoped and step-up ones. */
export interface Target {
  readonly name: string;
  /** Serves the routes behind a gate with this provider, or built from these options. */
  start(setup: AuthProvider | GatehouseOptions): Promise<{ url: string; close(): Promise<void> }>;
}

/**
 * Gate options from a provider or from options (configuration, DPoP, public URL…); the test process's own
 * environment is never read unless the options give an `env`.
 */
const gateOptions = (setup: AuthProvider | GatehouseOptions): GatehouseOptions =>
  'validateToken' in setup ? { provider: setup as AuthProvider, env: false } : { env: false, ...setup };

/** Whether the gate has an authorization backend: then the authz routes (authz-routes.ts) are served too. */
const authorizes = (setup: AuthProvider | GatehouseOptions) => 'authz' in setup && setup.authz !== undefined;

const whoami = (auth: AuthContext) => ({
  subject: auth.subject,
  email: auth.email,
  issuer: auth.issuer,
  authType: auth.authType,
  isAdmin: auth.isAdmin,
  scopes: auth.scopes,
  roles: auth.roles,
});

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const expressTarget = (name: string, framework: typeof express): Target => ({
  name,
  async start(setup) {
    const app = framework();
    const auth = expressGatehouse({ ...gateOptions(setup), publicPaths: ['/health'], realm: 'conformance' });
    app.get('/v1/optional', auth.optional(), (req, res) => {
      res.json({ authenticated: req.auth !== undefined, subject: req.auth?.subject });
    });
    app.use(auth);
    app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
    app.get('/v1/whoami', (req, res) => void res.json(whoami(expressAuthOf(req))));
    app.get('/v1/admin/status', auth.admin(), (_req, res) => void res.json({ admin: true }));
    app.get('/v1/scoped', auth.scopes('api:write'), (_req, res) => void res.json({ scoped: true }));
    app.get('/v1/step-up', auth.stepUp(STEP_UP), (_req, res) => void res.json({ steppedUp: true }));
    if (authorizes(setup)) expressAuthzRoutes(app, auth);
    return listen(app.listen(0, '127.0.0.1'));
  },
});

const koaTarget = (name: string, Framework: typeof Koa): Target => ({
  name,
  async start(setup) {
    const auth = koaGatehouse({ ...gateOptions(setup), publicPaths: ['/health'], realm: 'conformance' });
    const open = new Router();
    open.get('/v1/optional', auth.optional(), (ctx) => {
      ctx.body = { authenticated: ctx.state.auth !== undefined, subject: ctx.state.auth?.subject };
    });
    const router = new Router();
    router.get('/health', (ctx) => {
      ctx.body = { status: 'ok' };
    });
    router.get('/v1/whoami', (ctx) => {
      ctx.body = whoami(koaAuthOf(ctx));
    });
    router.get('/v1/admin/status', auth.admin(), (ctx) => {
      ctx.body = { admin: true };
    });
    router.get('/v1/scoped', auth.scopes('api:write'), (ctx) => {
      ctx.body = { scoped: true };
    });
    router.get('/v1/step-up', auth.stepUp(STEP_UP), (ctx) => {
      ctx.body = { steppedUp: true };
    });
    if (authorizes(setup)) koaAuthzRoutes(router, auth);
    const app = new Framework().use(open.routes()).use(auth).use(router.routes());
    return listen(app.listen(0, '127.0.0.1'));
  },
});

@Controller()
class HealthController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }
}

@Controller('v1')
class ApiController {
  @Get('whoami')
  whoami(@CurrentAuth() auth: AuthContext) {
    return whoami(auth);
  }

  @OptionalAuth()
  @Get('optional')
  optional(@CurrentAuth() auth: AuthContext | undefined) {
    return { authenticated: auth !== undefined, subject: auth?.subject };
  }

  @AdminOnly()
  @Get('admin/status')
  admin() {
    return { admin: true };
  }

  @RequireScopes('api:write')
  @Get('scoped')
  scoped(@CurrentAuth('subject') subject: string) {
    return { scoped: true, subject };
  }

  @StepUp(STEP_UP)
  @Get('step-up')
  stepUp() {
    return { steppedUp: true };
  }
}

const nestTarget = (name: string, platform: 'express' | 'fastify'): Target => ({
  name,
  async start(setup) {
    @Module({
      imports: [GatehouseModule.forRoot({ ...gateOptions(setup), realm: 'conformance' })],
      controllers: [HealthController, ApiController, ...(authorizes(setup) ? [NestAuthzController] : [])],
    })
    class AppModule {}
    // abortOnError: false, so that a configuration error rejects (as on the other frameworks) instead of
    // ending the process.
    const settings = { logger: false, abortOnError: false } as const;
    const app: INestApplication =
      platform === 'fastify'
        ? await NestFactory.create(AppModule, new FastifyAdapter(), settings)
        : await NestFactory.create(AppModule, settings);
    app.useGlobalFilters(new GatehouseExceptionFilter());
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as Server;
    const { url } = await listen(server);
    return { url, close: () => app.close() };
  },
});

const fastifyTarget = (name: string): Target => ({
  name,
  async start(setup) {
    const app = Fastify();
    await app.register(fastifyGatehouse, {
      ...gateOptions(setup),
      publicPaths: ['/health'],
      realm: 'conformance',
    });
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/v1/whoami', async (request) => whoami(fastifyAuthOf(request)));
    app.get('/v1/optional', { config: { gatehouse: { optional: true } } }, async (request) => ({
      authenticated: request.auth !== undefined,
      subject: request.auth?.subject,
    }));
    app.get('/v1/admin/status', { preHandler: app.gatehouse.admin() }, async () => ({ admin: true }));
    app.get('/v1/scoped', { config: { gatehouse: { scopes: ['api:write'] } } }, async () => ({
      scoped: true,
    }));
    app.get('/v1/step-up', { config: { gatehouse: STEP_UP } }, async () => ({ steppedUp: true }));
    if (authorizes(setup)) fastifyAuthzRoutes(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { url } = await listen(app.server);
    return { url, close: () => app.close() };
  },
});

// Hono behind @hono/node-server: the client address from the server's bindings, as on Bun and Deno.
const honoTarget = (name: string): Target => ({
  name,
  async start(setup) {
    const auth = honoGatehouse({ ...gateOptions(setup), publicPaths: ['/health'], realm: 'conformance' });
    const app = new Hono();
    app.get('/v1/optional', auth.optional(), (c) =>
      c.json({ authenticated: c.get('auth') !== undefined, subject: c.get('auth')?.subject }),
    );
    app.use(auth);
    app.get('/health', (c) => c.json({ status: 'ok' }));
    app.get('/v1/whoami', (c) => c.json(whoami(honoAuthOf(c))));
    app.get('/v1/admin/status', auth.admin(), (c) => c.json({ admin: true }));
    app.get('/v1/scoped', auth.scopes('api:write'), (c) => c.json({ scoped: true }));
    app.get('/v1/step-up', auth.stepUp(STEP_UP), (c) => c.json({ steppedUp: true }));
    if (authorizes(setup)) honoAuthzRoutes(app, auth);
    return listen(createAdaptorServer({ fetch: app.fetch }) as Server);
  },
});

// Plain fetch handlers behind @gatehouse/web's withGatehouse, as a Worker or a Next.js route would
// have them, served on Node by @hono/node-server's fetch adapter.
const webTarget = (name: string): Target => ({
  name,
  async start(setup) {
    const auth = webGatehouse({ ...gateOptions(setup), publicPaths: ['/health'], realm: 'conformance' });
    const json = (body: unknown) => Response.json(body);
    const routes: Record<string, (request: Request, env: HttpBindings | Http2Bindings) => Promise<Response>> =
      {
        '/health': withGatehouse(auth, () => json({ status: 'ok' })),
        '/v1/optional': withGatehouse(auth.optional(), (_request, gated: Gated) =>
          json({ authenticated: gated.auth !== undefined, subject: gated.auth?.subject }),
        ),
        '/v1/whoami': withGatehouse(auth, (_request, gated) => json(whoami(webAuthOf(gated)))),
        '/v1/admin/status': withGatehouse(auth.admin(), () => json({ admin: true })),
        '/v1/scoped': withGatehouse(auth.scopes('api:write'), () => json({ scoped: true })),
        '/v1/step-up': withGatehouse(auth.stepUp(STEP_UP), () => json({ steppedUp: true })),
      };
    const records = authorizes(setup) ? webAuthzRoutes(auth) : () => undefined;
    const fetch = (request: Request, env: HttpBindings | Http2Bindings) => {
      const path = new URL(request.url).pathname;
      const route =
        routes[path] ??
        records(path) ??
        withGatehouse(auth, () => new Response('not found', { status: 404 }));
      return route(request, env);
    };
    return listen(createAdaptorServer({ fetch }) as Server);
  },
});

export const TARGETS: readonly Target[] = [
  expressTarget('express 5', express),
  koaTarget('koa 3', Koa),
  nestTarget('nestjs (express platform)', 'express'),
  expressTarget('express 4', express4),
  koaTarget('koa 2', Koa2),
  nestTarget('nestjs (fastify platform)', 'fastify'),
  fastifyTarget('fastify 5'),
  honoTarget('hono 4 (@hono/node-server)'),
  webTarget('web (fetch handlers on @hono/node-server)'),
];
