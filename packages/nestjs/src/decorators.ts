import {
  type AuthContext,
  type AuthenticationRequirement,
  type AuthRequirement,
  ConfigError,
  validateAuthenticationRequirement,
} from '@gatehouse/core';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { socketAuth } from './socket-auth.js';

/**
 * Marks a route or controller as public: the guard lets every request through, without authentication.
 *
 * @example
 * ```ts
 * @Public()
 * @Get('health')
 * health() { return { ok: true }; }
 * ```
 */
export const Public = Reflector.createDecorator<undefined, true>({ transform: () => true });

/**
 * Authenticates when credentials are present, and lets requests without any through (no identity).
 * Bad credentials are still refused.
 *
 * @example
 * ```ts
 * @OptionalAuth()
 * @Get('feed')
 * feed(@CurrentAuth() auth?: AuthContext) { return auth ? personalised(auth) : generic(); }
 * ```
 */
export const OptionalAuth = Reflector.createDecorator<undefined, true>({ transform: () => true });

/**
 * Only admins (`isAdmin`) pass: 401 without credentials, 403 for anyone else.
 *
 * @example
 * ```ts
 * @AdminOnly()
 * @Delete('data')
 * purge() { return this.store.purge(); }
 * ```
 */
export const AdminOnly = Reflector.createDecorator<undefined, true>({ transform: () => true });

/** Metadata of {@link RequireScopes}. */
export const ScopesMetadata = Reflector.createDecorator<readonly string[]>();

/**
 * Requires every listed scope: 401 without credentials, 403 `insufficient_scope` without the scopes.
 *
 * @example
 * ```ts
 * @RequireScopes('telemetry:write')
 * @Post('ingest')
 * ingest(@Body() batch: Batch) { return this.store.insert(batch); }
 * ```
 */
export function RequireScopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  return ScopesMetadata(scopes);
}

/** Metadata of {@link RequireAuth}. */
export const RequireAuthMetadata = Reflector.createDecorator<AuthRequirement>();

/**
 * Requires what `requirement` says: `admin`, `scopes`, `orAdmin` (admins pass without the scopes), and a
 * step-up (`acr`, `maxAge`). Combines with `@AdminOnly()`, `@RequireScopes()` and `@StepUp()`.
 *
 * @example
 * ```ts
 * @RequireAuth({ scopes: ['metrics:read'], orAdmin: true })
 * @Get('metrics')
 * metrics() { return this.registry.render(); }
 * ```
 */
export function RequireAuth(requirement: AuthRequirement): MethodDecorator & ClassDecorator {
  return RequireAuthMetadata(requirement);
}

/**
 * Metadata of {@link StepUp}, for guards of your own.
 *
 * @example
 * ```ts
 * const stepUp = reflector.getAllAndOverride(StepUpMetadata, [context.getHandler(), context.getClass()]);
 * ```
 */
export const StepUpMetadata = Reflector.createDecorator<AuthenticationRequirement>();

/**
 * Requires a step-up (RFC 9470): the token's `acr` one of `acr`, and/or its `auth_time` at most `maxAge`
 * seconds ago. A login that falls short gets 401 `insufficient_user_authentication` with `acr_values`
 * and/or `max_age` (and the route's scopes in `scope`). Checked when the decorator is applied: a malformed
 * requirement stops start-up. Combines with `@RequireScopes()` and `@AdminOnly()`.
 *
 * @example
 * ```ts
 * @RequireScopes('telemetry:admin')
 * @StepUp({ acr: ['urn:example:mfa'], maxAge: 300 })
 * @Delete('data')
 * purge() { return this.store.purge(); }
 * ```
 */
export function StepUp(requirement: AuthenticationRequirement): MethodDecorator & ClassDecorator {
  if (requirement.acr === undefined && requirement.maxAge === undefined) {
    throw new ConfigError('invalid_config', 'needs acr and/or maxAge', { field: 'StepUp' });
  }
  validateAuthenticationRequirement(requirement);
  return StepUpMetadata(requirement);
}

/**
 * Injects the authenticated identity (or one of its fields) into a handler parameter: the request's on
 * controllers, the socket's on gateways (`@SubscribeMessage` handlers).
 *
 * @example
 * ```ts
 * @Get('whoami')
 * whoami(@CurrentAuth() auth: AuthContext) { return { subject: auth.subject }; }
 * ```
 */
export const CurrentAuth = createParamDecorator(
  (field: keyof AuthContext | undefined, context: ExecutionContext): unknown => {
    const auth =
      context.getType() === 'ws'
        ? socketAuth(context.switchToWs().getClient())
        : context.switchToHttp().getRequest<{ auth?: AuthContext }>().auth;
    return field === undefined ? auth : auth?.[field];
  },
);
