// Type-level test, checked by `tsc --noEmit` (npm run typecheck): the decorators and module accept what
// users write, and @CurrentAuth() gives a typed identity.

import type { AuthContext } from '@gatehouse/core';
import { Controller, Get, Module } from '@nestjs/common';
import {
  AdminOnly,
  Authorize,
  CurrentAuth,
  GatehouseModule,
  OptionalAuth,
  Public,
  RequireScopes,
} from '../src/index.js';

@Controller()
export class TypesController {
  @Public()
  @Get('health')
  health() {
    return 'ok';
  }

  @AdminOnly()
  @RequireScopes('a', 'b')
  @Get('admin')
  admin(@CurrentAuth() auth: AuthContext, @CurrentAuth('subject') subject: string) {
    const admin: boolean = auth.isAdmin;
    return { admin, subject };
  }

  @OptionalAuth()
  @Get('optional')
  optional(@CurrentAuth() auth: AuthContext | undefined) {
    return auth?.subject;
  }
}

@Module({
  imports: [
    GatehouseModule.forRoot(),
    GatehouseModule.forRoot({ realm: 'x', globalGuard: false }),
    GatehouseModule.forRootAsync({ useFactory: () => ({ realm: 'y' }), inject: [] }),
  ],
  controllers: [TypesController],
})
export class TypesModule {}

// @ts-expect-error: RequireScopes takes scope names
RequireScopes(1);

@Controller('processes')
export class AuthorizedController {
  @Authorize('read', 'process', 'id')
  @Get(':id')
  one() {
    return 'ok';
  }

  @Authorize('delete', async (request) => ({ type: 'process', id: String(request.params?.id) }))
  @Get(':id/delete')
  remove() {
    return 'ok';
  }
}
