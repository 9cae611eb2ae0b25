import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ApiKeyAuthProvider, type AuthContext } from '@gatehouse/core';
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  type INestApplication,
  Injectable,
  Module,
  UseGuards,
} from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CurrentAuth, GatehouseException, GatehouseGuard, GatehouseModule, Public } from '../src/index.js';

const provider = new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'svc-key-1' }] });

@Controller()
class OpenController {
  @Get('open')
  open() {
    return 'open';
  }
}

@UseGuards(GatehouseGuard)
@Controller()
class GuardedController {
  @Get('guarded')
  guarded(@CurrentAuth() auth: AuthContext) {
    return { who: auth.subject };
  }

  @Public()
  @Get('guarded/health')
  health() {
    return 'ok';
  }
}

const apps: INestApplication[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(module: new () => unknown): Promise<string> {
  const app = await NestFactory.create(module, { logger: false });
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

@Injectable()
class AuthSettings {
  readonly provider = provider;
}

@Module({ providers: [AuthSettings], exports: [AuthSettings] })
class SettingsModule {}

describe('@gatehouse/nestjs', () => {
  it('forRootAsync builds the options from injected providers', async () => {
    @Module({
      imports: [
        GatehouseModule.forRootAsync({
          imports: [SettingsModule],
          inject: [AuthSettings],
          useFactory: (settings: AuthSettings) => ({ provider: settings.provider, realm: 'async' }),
        }),
      ],
      controllers: [GuardedController],
    })
    class AppModule {}
    const url = await start(AppModule);
    const res = await fetch(`${url}/guarded`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="async"');
    const ok = await fetch(`${url}/guarded`, { headers: { authorization: 'Bearer svc-key-1' } });
    expect(await ok.json()).toEqual({ who: 'svc' });
  });

  it('globalGuard: false guards only the controllers that ask for it', async () => {
    @Module({
      imports: [GatehouseModule.forRoot({ provider, globalGuard: false })],
      controllers: [OpenController, GuardedController],
    })
    class AppModule {}
    const url = await start(AppModule);
    expect((await fetch(`${url}/open`)).status).toBe(200);
    expect((await fetch(`${url}/guarded`)).status).toBe(401);
    expect((await fetch(`${url}/guarded/health`)).status).toBe(200);
  });

  it('the global guard protects every route by default', async () => {
    @Module({ imports: [GatehouseModule.forRoot({ provider })], controllers: [OpenController] })
    class AppModule {}
    const url = await start(AppModule);
    expect((await fetch(`${url}/open`)).status).toBe(401);
    expect((await fetch(`${url}/open`, { headers: { authorization: 'Bearer svc-key-1' } })).status).toBe(200);
  });

  it('custom exception filters receive a GatehouseException carrying the AuthError', async () => {
    const seen: unknown[] = [];
    @Catch(GatehouseException)
    class Filter implements ExceptionFilter {
      catch(exception: GatehouseException, host: ArgumentsHost) {
        seen.push(exception.cause);
        host
          .switchToHttp()
          .getResponse()
          .status(exception.getStatus())
          .json({ mine: true, headers: exception.headers });
      }
    }
    @Module({
      imports: [GatehouseModule.forRoot({ provider })],
      controllers: [OpenController],
      providers: [{ provide: APP_FILTER, useClass: Filter }],
    })
    class AppModule {}
    const url = await start(AppModule);
    const res = await fetch(`${url}/open`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      mine: true,
      headers: { 'www-authenticate': expect.stringContaining('invalid_token') },
    });
    expect(seen[0]).toMatchObject({ code: 'unknown_api_key' });
  });

  it('forRoot() without options reads the environment and refuses to start without it', async () => {
    const saved = { ...process.env };
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('GATEHOUSE_')) delete process.env[name];
      @Module({ imports: [GatehouseModule.forRoot()], controllers: [OpenController] })
      class AppModule {}
      await expect(NestFactory.create(AppModule, { logger: false, abortOnError: false })).rejects.toThrow(
        /no credentials are configured/,
      );
      process.env.GATEHOUSE_API_KEYS = '[{"name":"env","key":"env-key-1"}]';
      @Module({ imports: [GatehouseModule.forRoot()], controllers: [OpenController] })
      class EnvModule {}
      const url = await start(EnvModule);
      expect((await fetch(`${url}/open`, { headers: { authorization: 'Bearer env-key-1' } })).status).toBe(
        200,
      );
    } finally {
      process.env = saved;
    }
  });
});
