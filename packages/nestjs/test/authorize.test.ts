import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '@gatehouse/core';
import { Controller, Get, type INestApplication, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Authorize, GatehouseModule } from '../src/index.js';

const KEY = 'nest-authorize-key-001';
const apiKeys = [{ name: 'svc', key: KEY }];
const rules = [{ action: 'read', resource: 'process', allow: { claim: 'sub', equals: 'nobody' } }] as const;

@Controller('processes')
class ProcessesController {
  // The id comes from the route parameter; the rules below allow only p-1 and the collection.
  @Authorize('read', 'process', 'id')
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }

  @Authorize('list', 'process')
  @Get()
  all() {
    return { all: true };
  }

  @Authorize('read', 'process', 'missing')
  @Get(':id/typo')
  typo() {
    return 'never';
  }
}

const apps: INestApplication[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(options: Parameters<typeof GatehouseModule.forRoot>[0]): Promise<string> {
  @Module({ imports: [GatehouseModule.forRoot(options)], controllers: [ProcessesController] })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false });
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

describe('@Authorize', () => {
  it('asks the backend about the resource the decorator names: type and route parameter', async () => {
    const events: AuditEvent[] = [];
    const url = await start({
      env: false,
      apiKeys,
      logger: { info: (e) => events.push(e), warn: (e) => events.push(e) },
      authz: {
        backend: 'rules',
        rules: [
          { action: 'read', resource: 'process', allow: { not: { claim: 'sub', equals: 'x' } } },
          { action: 'list', resource: 'process', allow: true },
        ],
      },
    });
    const get = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(await (await get('/processes/p-1')).json()).toEqual({ id: 'p-1' });
    expect(events.at(-1)).toMatchObject({
      event: 'gatehouse.auth.accepted',
      authz: { action: 'read', resourceType: 'process', resourceId: 'p-1', decision: 'allow' },
    });
    expect(await (await get('/processes')).json()).toEqual({ all: true });
    expect(events.at(-1)).toMatchObject({ authz: { action: 'list', resourceType: 'process' } });
    // A parameter the route does not have is a mistake in the route, never a decision on something else.
    expect((await get('/processes/p-1/typo')).status).toBe(500);
  });

  it('refuses with 403 access_denied when the backend says no', async () => {
    const url = await start({ env: false, apiKeys, authz: { backend: 'rules', rules } });
    const res = await fetch(`${url}/processes/p-1`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'access_denied', error_description: 'access denied' });
  });

  it('stops start-up when a route authorizes but no backend is configured', async () => {
    await expect(start({ env: false, apiKeys })).rejects.toThrow(
      '"authz" is not configured, but a route asks for a decision (authorize "read")',
    );
  });
});
