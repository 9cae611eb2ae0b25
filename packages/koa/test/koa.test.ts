import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyAuthProvider, type AuthError } from '@gatehouse/core';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { gatehouse } from '../src/index.js';

const provider = new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'svc-key-1' }], admins: ['svc'] });
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(app: Koa): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('@gatehouse/koa', () => {
  it("onError: 'throw' raises the AuthError to upstream middleware", async () => {
    const caught: AuthError[] = [];
    const app = new Koa();
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (err) {
        caught.push(err as AuthError);
        ctx.status = 418;
      }
    });
    app.use(gatehouse({ provider, onError: 'throw' }));
    const url = await serve(app);
    expect((await fetch(url, { headers: { authorization: 'Bearer nope' } })).status).toBe(418);
    expect(caught[0]).toMatchObject({ code: 'unknown_api_key', status: 401, expose: true });
  });

  it("onError: 'throw' still yields a proper 401 challenge through Koa's default error handler", async () => {
    const app = new Koa();
    app.silent = true;
    app.use(gatehouse({ provider, onError: 'throw' }));
    const url = await serve(app);
    const res = await fetch(url);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
  });

  it('runs downstream middleware after authentication, with the identity on ctx.state', async () => {
    const app = new Koa();
    const auth = gatehouse({ provider, publicPaths: ['/open/*'] });
    app.use(auth);
    app.use(async (ctx) => {
      ctx.body = { who: ctx.state.auth?.subject ?? null, path: ctx.path };
    });
    const url = await serve(app);
    expect(await (await fetch(`${url}/open/x`)).json()).toEqual({ who: null, path: '/open/x' });
    expect(
      await (await fetch(`${url}/x`, { headers: { authorization: 'Bearer svc-key-1' } })).json(),
    ).toEqual({
      who: 'svc',
      path: '/x',
    });
  });
});
