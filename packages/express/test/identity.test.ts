/// <reference path="../../../test/adapters/aliases.d.ts" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyAuthProvider, createAuthContext } from '@gatehouse/core';
import express, { type Request, type RequestHandler } from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { gatehouse } from '../src/index.js';

// `req.auth` is an accessor on Express's request prototype, backed by a WeakMap (src/identity.ts): these
// tests hold it to what an own property did, on Express 5 and 4, and outside Express.
const provider = new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'svc-key-1' }] });
const key = { authorization: 'Bearer svc-key-1' };
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(server: Server): Promise<string> {
  servers.push(server);
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  return { status: res.status, body: res.status === 200 ? await res.json() : undefined };
};

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('req.auth on %s', (_name, framework) => {
  it('is the identity, on every request, without a property added to the request', async () => {
    const app = framework();
    app.use(gatehouse({ provider, env: false, publicPaths: ['/open'] }));
    const report: RequestHandler = (req, res) =>
      void res.json({ subject: req.auth?.subject ?? null, own: Object.hasOwn(req, 'auth') });
    app.get('/who', report);
    app.get('/open', report);
    const url = await serve(app.listen(0, '127.0.0.1'));
    for (let i = 0; i < 3; i++) {
      expect(await get(`${url}/who`, key)).toEqual({ status: 200, body: { subject: 'svc', own: false } });
      expect(await get(`${url}/open`)).toEqual({ status: 200, body: { subject: null, own: false } });
    }
    expect((await get(`${url}/who`)).status).toBe(401);
  });

  it('an identity other code assigns to req.auth is the one the route helpers check', async () => {
    const app = framework();
    const auth = gatehouse({ provider, env: false });
    app.use((req, _res, next) => {
      const role = req.headers['x-test-role'];
      if (role !== undefined) {
        const isAdmin = role === 'admin';
        req.auth = createAuthContext({ subject: `${role}-1`, issuer: 'test', authType: 'api_key', isAdmin });
      }
      next();
    });
    app.get('/admin', auth.admin(), (req, res) => void res.json({ subject: req.auth?.subject }));
    app.get('/cleared', (req, res) => {
      req.auth = undefined;
      res.json({ cleared: req.auth === undefined });
    });
    const url = await serve(app.listen(0, '127.0.0.1'));
    expect(await get(`${url}/admin`, { 'x-test-role': 'admin' })).toEqual({
      status: 200,
      body: { subject: 'admin-1' },
    });
    expect((await get(`${url}/admin`, { 'x-test-role': 'user' })).status).toBe(403);
    expect((await get(`${url}/admin`)).status).toBe(401);
    expect(await get(`${url}/cleared`, { 'x-test-role': 'user' })).toEqual({
      status: 200,
      body: { cleared: true },
    });
  });

  it('stays on the request after a sub-app that authenticated it hands it back to its parent', async () => {
    const sub = framework();
    sub.use(gatehouse({ provider, env: false }));
    sub.get('/inside', (req, res) => void res.json({ subject: req.auth?.subject }));
    const app = framework();
    app.use('/api', sub);
    app.get('/api/after', (req, res) => void res.json({ subject: req.auth?.subject ?? null }));
    const url = await serve(app.listen(0, '127.0.0.1'));
    expect(await get(`${url}/api/inside`, key)).toEqual({ status: 200, body: { subject: 'svc' } });
    expect(await get(`${url}/api/after`, key)).toEqual({ status: 200, body: { subject: 'svc' } });
  });
});

describe('req.auth outside Express', () => {
  it('is an ordinary property of a request Express did not prepare', async () => {
    const middleware = gatehouse({ provider, env: false });
    const server = createServer((req, res) => {
      middleware(req as Request, res as never, () => {
        const request = req as Request;
        res.end(JSON.stringify({ subject: request.auth?.subject, own: Object.hasOwn(req, 'auth') }));
      });
    });
    const url = await serve(server);
    expect(await get(url, key)).toEqual({ status: 200, body: { subject: 'svc', own: true } });
  });
});
