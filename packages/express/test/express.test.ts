import type { AddressInfo } from 'node:net';
import { ApiKeyAuthProvider, type AuthError, type AuthProvider } from '@gatehouse/core';
import express, { type ErrorRequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { authOf, gatehouse } from '../src/index.js';

const provider = new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'svc-key-1' }] });
const servers: import('node:http').Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('@gatehouse/express', () => {
  it("onError: 'next' hands the AuthError to the app's error handler", async () => {
    const app = express();
    app.use(gatehouse({ provider, onError: 'next' }));
    app.get('/', (_req, res) => void res.send('ok'));
    const handler: ErrorRequestHandler = (err: AuthError, _req, res, _next) => {
      res.status(err.status).json({ custom: true, code: err.code });
    };
    app.use(handler);
    const url = await serve(app);
    const res = await fetch(url, { headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ custom: true, code: 'unknown_api_key' });
  });

  it("mode: 'optional' lets anonymous requests through globally, route helpers still require", async () => {
    const app = express();
    const auth = gatehouse({ provider, mode: 'optional' });
    app.use(auth);
    app.get('/feed', (req, res) => void res.json({ who: req.auth?.subject ?? null }));
    app.get('/mine', auth.required(), (req, res) => void res.json({ who: authOf(req).subject }));
    const url = await serve(app);
    expect(await (await fetch(`${url}/feed`)).json()).toEqual({ who: null });
    expect((await fetch(`${url}/mine`)).status).toBe(401);
    const res = await fetch(`${url}/mine`, { headers: { authorization: 'Bearer svc-key-1' } });
    expect(await res.json()).toEqual({ who: 'svc' });
  });

  it('a provider bug is not a client error: it goes to next(err), not to a 401', async () => {
    const broken: AuthProvider = { validateToken: () => Promise.reject(new TypeError('provider bug')) };
    const app = express();
    app.use(gatehouse({ provider: broken }));
    app.get('/', (_req, res) => void res.send('ok'));
    const seen: unknown[] = [];
    const handler: ErrorRequestHandler = (err, _req, res, _next) => {
      seen.push(err);
      res.status(500).end();
    };
    app.use(handler);
    const url = await serve(app);
    expect((await fetch(url, { headers: { authorization: 'Bearer x' } })).status).toBe(500);
    expect(seen[0]).toBeInstanceOf(TypeError);
  });

  it('gatehouse() without a provider reads the environment and fails closed', () => {
    const saved = { ...process.env };
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('GATEHOUSE_')) delete process.env[name];
      expect(() => gatehouse()).toThrow(/no credentials are configured/);
      process.env.GATEHOUSE_API_KEYS = '[{"name":"env","key":"env-key"}]';
      expect(gatehouse().gate.provider).toBeInstanceOf(ApiKeyAuthProvider);
    } finally {
      process.env = saved;
    }
  });
});
