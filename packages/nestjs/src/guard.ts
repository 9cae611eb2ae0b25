import {
  type AuthContext,
  type AuthError,
  type AuthRequirement,
  authorizationHeader,
  type Gatehouse,
} from '@gatehouse/core';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminOnly, OptionalAuth, Public, ScopesMetadata } from './decorators.js';
import { GatehouseException } from './exception.js';
import { GATEHOUSE } from './tokens.js';

type HttpArgumentsHost = ReturnType<ExecutionContext['switchToHttp']>;

interface RoutePolicy {
  readonly public: boolean;
  readonly optional: boolean;
  readonly requirement: AuthRequirement | undefined;
}

interface HttpRequest {
  auth?: AuthContext;
  rawHeaders?: string[];
  raw?: { rawHeaders: string[] };
  path?: string;
  url?: string;
}

interface HttpResponse {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

/**
 * The Gatehouse guard: authenticates the request, puts the identity on `request.auth` (read it with
 * `@CurrentAuth()`), and enforces `@Public()`, `@OptionalAuth()`, `@AdminOnly()` and `@RequireScopes()`.
 * Registered globally by `GatehouseModule` unless `globalGuard: false`; usable per controller or route with
 * `@UseGuards(GatehouseGuard)`. Only HTTP contexts are supported; any other is refused.
 *
 * @example
 * ```ts
 * @UseGuards(GatehouseGuard)
 * @Controller('v1')
 * export class WhoamiController {
 *   @Get('whoami')
 *   whoami(@CurrentAuth() auth: AuthContext) { return auth; }
 * }
 * ```
 */
@Injectable()
export class GatehouseGuard implements CanActivate {
  // Metadata never changes at runtime: read it once per handler.
  private readonly policies = new WeakMap<object, RoutePolicy>();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(GATEHOUSE) private readonly gate: Gatehouse,
  ) {}

  // Not async: a known API key or cached token is answered synchronously, without a promise.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policy(context);
    if (policy.public) return true;
    if (context.getType() !== 'http') return false;
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    if (this.gate.isPublic(requestPath(request))) return true;

    const header = authorizationHeader(request.rawHeaders ?? request.raw?.rawHeaders ?? []);
    const known = this.gate.peek(header);
    if (known === undefined) return this.verify(http, request, header, policy);
    return this.admit(http, request, known, policy);
  }

  private async verify(
    http: HttpArgumentsHost,
    request: HttpRequest,
    header: string | string[] | undefined,
    policy: RoutePolicy,
  ): Promise<boolean> {
    let auth: AuthContext | undefined;
    try {
      auth = policy.optional
        ? await this.gate.authenticate(header, { optional: true })
        : await this.gate.authenticate(header);
    } catch (err) {
      throw this.exception(err, http.getResponse<HttpResponse>());
    }
    if (auth === undefined) return true;
    return this.admit(http, request, auth, policy);
  }

  private admit(
    http: HttpArgumentsHost,
    request: HttpRequest,
    auth: AuthContext,
    policy: RoutePolicy,
  ): boolean {
    request.auth = auth;
    const denied = policy.requirement && this.gate.authorize(auth, policy.requirement);
    if (denied) throw this.exception(denied, http.getResponse<HttpResponse>());
    return true;
  }

  private policy(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    const cached = this.policies.get(handler);
    if (cached) return cached;
    const targets = [handler, context.getClass()];
    const admin = this.reflector.getAllAndOverride(AdminOnly, targets) === true;
    const scopes = this.reflector.getAllAndOverride(ScopesMetadata, targets);
    const policy: RoutePolicy = {
      public: this.reflector.getAllAndOverride(Public, targets) === true,
      optional: this.reflector.getAllAndOverride(OptionalAuth, targets) === true,
      requirement: admin || scopes?.length ? { admin, scopes } : undefined,
    };
    this.policies.set(handler, policy);
    return policy;
  }

  private exception(err: unknown, response: HttpResponse): unknown {
    const answer = this.gate.respond(err);
    if (answer === undefined) return err;
    for (const [name, value] of Object.entries(answer.headers)) {
      // Express and Fastify both offer header(); plain Node responses have setHeader().
      if (typeof response.header === 'function') response.header(name, value);
      else response.setHeader?.(name, value);
    }
    return new GatehouseException(err as AuthError, answer);
  }
}

function requestPath(request: HttpRequest): string {
  if (request.path !== undefined) return request.path;
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
