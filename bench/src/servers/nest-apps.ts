import 'reflect-metadata';
import type { AuthContext } from '@gatehouse/core';
import { CurrentAuth, GatehouseModule } from '@gatehouse/nestjs';
import {
  type CanActivate,
  Controller,
  createParamDecorator,
  type DynamicModule,
  type ExecutionContext,
  Get,
  type INestApplication,
  Module,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { BARE_SUBJECT, type ServerConfig } from '../fixture.js';
import { gatehouseConfig } from './common.js';
import { createFloorVerifier, type FloorVerifier } from './floor.js';

// No class here takes constructor parameters through DI, so nothing depends on decorator metadata; the
// Gatehouse guard injects with explicit @Inject() tokens.

@Controller('v1')
class BareController {
  @Get('whoami')
  whoami() {
    return { subject: BARE_SUBJECT };
  }
}

@Controller('v1')
class GatehouseController {
  @Get('whoami')
  whoami(@CurrentAuth() auth: AuthContext) {
    return { subject: auth.subject };
  }
}

interface FloorRequest {
  headers: { authorization?: string };
  floorSubject?: string;
}

/** The node:crypto reference as a global guard, the way a Nest user would write it. */
class FloorGuard implements CanActivate {
  constructor(private readonly verify: FloorVerifier) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FloorRequest>();
    const sub = this.verify(request.headers.authorization);
    if (sub === undefined) throw new UnauthorizedException();
    request.floorSubject = sub;
    return true;
  }
}

const FloorSubject = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<FloorRequest>().floorSubject,
);

@Controller('v1')
class FloorController {
  @Get('whoami')
  whoami(@FloorSubject() subject: string) {
    return { subject };
  }
}

async function rootModule(variant: string, config: ServerConfig): Promise<DynamicModule> {
  @Module({})
  class BenchModule {}
  switch (variant) {
    case 'nest':
      return { module: BenchModule, controllers: [BareController] };
    case 'gatehouse-nest':
      return {
        module: BenchModule,
        imports: [GatehouseModule.forRoot(gatehouseConfig(config))],
        controllers: [GatehouseController],
      };
    case 'floor-nest': {
      const guard = new FloorGuard(await createFloorVerifier(config));
      return {
        module: BenchModule,
        controllers: [FloorController],
        providers: [{ provide: APP_GUARD, useValue: guard }],
      };
    }
    default:
      throw new Error(`unknown Nest variant ${variant}`);
  }
}

export async function createNestApp(variant: string, config: ServerConfig): Promise<INestApplication> {
  return NestFactory.create(await rootModule(variant, config), new ExpressAdapter(), { logger: false });
}
