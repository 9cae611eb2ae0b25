import {
  type AuthContext,
  type AuthErrorResponse,
  type AuthenticationRequirement,
  type AuthRequirement,
  type Decision,
  type Gatehouse,
  MissingCredentialsError,
  NodeRequestView,
  type RequestView,
  type Route,
  type RouteAuthorization,
  requestView,
} from '@gatehouse/core';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthorizeMetadata } from './authorize.decorator.js';
import {
  AdminOnly,
  OptionalAuth,
  Public,
  RequireAuthMetadata,
  ScopesMetadata,
  StepUpMetadata,
} from './decorators.js';
import { GatehouseException } from './exception.js';
import { socketAuth } from './socket-auth.js';
import { GATEHOUSE } from './tokens.js';

/** The request object the guard puts the identity on: Express's or Fastify's (or yours, see `getRequest`). */
export interface GatehouseRequest {
  auth?: AuthContext;
  rawHeaders?: readonly string[];
  raw?: { rawHeaders: readonly string[]; url?: string; method?: string; socket?: unknown };
  method?: string;
  path?: string;
  /** The route's parameters (what `@Authorize('read', 'process', 'id')` reads the id from). */
  params?: Record<string, string | undefined>;
  url?: string;
  originalUrl?: string;
  socket?: unknown;
}

/** Where the guard writes response headers (`WWW-Authenticate`, `Retry-After`, …) before refusing. */
export interface GatehouseResponse {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

const PUBLIC = Symbol('public');
const NO_REQUEST = requestView({});

/**
 * The Gatehouse guard: runs `@gatehouse/core`'s pipeline, puts the identity on `request.auth` (read it with
 * `@CurrentAuth()`), and enforces `@Public()`, `@OptionalAuth()`, `@AdminOnly()`, `@RequireScopes()`,
 * `@StepUp()`, `@RequireAuth()` and `@Authorize()`. Registered globally by `GatehouseModule` unless `globalGuard: false`;
 * usable per controller or route with `@UseGuards(GatehouseGuard)`. HTTP contexts work as they are. On
 * gateways (`ws` context) it checks each message handler's requirement against the identity the gate gave
 * the socket at its handshake (`GatehouseWsAdapter`, `GatehouseIoAdapter`); a socket no gate accepted gets
 * nothing but `@Public()` and `@OptionalAuth()` handlers. For GraphQL or RPC, extend it and override
 * {@link getRequest} (and {@link getResponse}), as with `@nestjs/passport`.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class GqlGatehouseGuard extends GatehouseGuard {
 *   protected override getRequest(context: ExecutionContext) {
 *     return GqlExecutionContext.create(context).getContext().req;
 *   }
 * }
 * ```
 */
@Injectable()
export class GatehouseGuard implements CanActivate {
  // Metadata never changes at runtime: compile each handler's route once.
  private readonly routes = new WeakMap<object, Route | typeof PUBLIC>();

  constructor(
    @Inject(Reflector) protected readonly reflector: Reflector,
    @Inject(GATEHOUSE) protected readonly gate: Gatehouse,
  ) {}

  // Not async: a known token is answered synchronously, without a promise.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const route = this.routeOf(context);
    if (route === PUBLIC) return true;
    if (context.getType() === 'ws') return this.canReceive(context, route);
    const request = this.getRequest(context);
    if (request === undefined) return false;
    const decision = this.gate.handle(this.requestView(request), route, request.auth, request);
    if (decision instanceof Promise) return decision.then((d) => this.handleDecision(d, context, request));
    return this.handleDecision(decision, context, request);
  }

  /**
   * The request the identity belongs to. Default: the HTTP request, and undefined (refused) for any other
   * kind of context. Override for GraphQL (`GqlExecutionContext.create(context).getContext().req`) or RPC.
   */
  protected getRequest(context: ExecutionContext): GatehouseRequest | undefined {
    return context.getType() === 'http' ? context.switchToHttp().getRequest<GatehouseRequest>() : undefined;
  }

  /** Where refusal headers are written. Default: the HTTP response. */
  protected getResponse(context: ExecutionContext): GatehouseResponse | undefined {
    return context.getType() === 'http' ? context.switchToHttp().getResponse<GatehouseResponse>() : undefined;
  }

  /** Maps the request into the pipeline's view (Express platform: `req`; Fastify: `request.raw`). */
  protected requestView(request: GatehouseRequest): RequestView {
    const node = (request.raw ?? request) as ConstructorParameters<typeof NodeRequestView>[0];
    return new NodeRequestView(node, request.path, request.originalUrl ?? request.url);
  }

  /**
   * Acts on the pipeline's decision: puts the identity on the request and returns true, or writes the
   * refusal's headers and throws a {@link GatehouseException} (status and JSON body of core's error table).
   * Override to shape the result for GraphQL or RPC.
   */
  protected handleDecision(
    decision: Decision,
    context: ExecutionContext,
    request: GatehouseRequest,
  ): boolean {
    if (decision.headers !== undefined) setHeaders(this.getResponse(context), decision.headers);
    if (decision.admitted) {
      if (decision.auth !== undefined) request.auth = decision.auth;
      return true;
    }
    throw new GatehouseException(decision.error, decision);
  }

  // A gateway message: the socket was authenticated at its handshake; only the requirement is checked.
  private canReceive(context: ExecutionContext, route: Route): boolean | Promise<boolean> {
    const auth = socketAuth(context.switchToWs().getClient());
    if (auth === undefined) {
      return route.optional || wsRefusal(this.gate.respond(new MissingCredentialsError())!);
    }
    const decision = this.gate.handle(NO_REQUEST, route, auth);
    if (decision instanceof Promise) return decision.then((d) => d.admitted || wsRefusal(d));
    return decision.admitted || wsRefusal(decision);
  }

  private routeOf(context: ExecutionContext): Route | typeof PUBLIC {
    const handler = context.getHandler();
    const cached = this.routes.get(handler);
    if (cached !== undefined) return cached;
    const targets = [handler, context.getClass()];
    const get = <T>(decorator: Parameters<Reflector['getAllAndOverride']>[0]) =>
      this.reflector.getAllAndOverride(decorator, targets) as T | undefined;
    let route: Route | typeof PUBLIC = PUBLIC;
    if (get<boolean>(Public) !== true) {
      const required = get<AuthRequirement>(RequireAuthMetadata);
      const stepUp = get<AuthenticationRequirement>(StepUpMetadata);
      route = this.gate.route(
        {
          optional: get<boolean>(OptionalAuth) === true,
          admin: get<boolean>(AdminOnly) === true || required?.admin === true,
          scopes: [...(get<readonly string[]>(ScopesMetadata) ?? []), ...(required?.scopes ?? [])],
          orAdmin: required?.orAdmin === true,
          acr: stepUp?.acr ?? required?.acr,
          maxAge: stepUp?.maxAge ?? required?.maxAge,
          authorize: get<RouteAuthorization<GatehouseRequest>>(AuthorizeMetadata),
        },
        { publicPaths: true },
      );
    }
    this.routes.set(handler, route);
    return route;
  }
}

/**
 * Refuses a gateway message with the refusal's code: a `WsException` of the body, which Nest's filter sends
 * the client as its `exception` event (`{ status: "error", error, error_description }`) instead of its
 * generic "Forbidden resource". `@nestjs/websockets` is an optional peer, loaded only here: a `ws` context
 * exists only when it is installed.
 */
async function wsRefusal(answer: AuthErrorResponse): Promise<never> {
  const { WsException } = await import('@nestjs/websockets');
  throw new WsException({ status: 'error', ...answer.body });
}

/** Writes headers on an Express or Fastify response (or a plain Node one). @internal */
export function setHeaders(
  response: GatehouseResponse | undefined,
  headers: Readonly<Record<string, string>>,
): void {
  if (response === undefined) return;
  for (const [name, value] of Object.entries(headers)) {
    // Express and Fastify both offer header(); plain Node responses have setHeader().
    if (typeof response.header === 'function') response.header(name, value);
    else response.setHeader?.(name, value);
  }
}
