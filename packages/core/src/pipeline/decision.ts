import type { AuthzResource } from '../authz/types.js';
import type { AuthContext } from '../context.js';
import type { AnyAuthError } from '../errors.js';
import type { AuthErrorResponse } from '../http/response.js';
import type { AuthRequirement } from '../policy/requirement.js';

/**
 * A route's authorization step: may the identity do `action` on the resource this request names? The
 * resource is given as it is, or found from the framework's request (`Input`: Express's `req`, Koa's
 * `ctx`, Fastify's `request`), looking it up if need be (a promise).
 *
 * @example
 * ```ts
 * const readProcess: RouteAuthorization<Request> = {
 *   action: 'read',
 *   resource: (req) => ({ type: 'process', id: req.params.id }),
 * };
 * ```
 */
export interface RouteAuthorization<Input = unknown> {
  readonly action: string;
  readonly resource: AuthzResource | ((input: Input) => AuthzResource | Promise<AuthzResource>);
  /** Anything else about the request the policy needs (method, path, time…). */
  readonly context?: (input: Input) => Readonly<Record<string, unknown>>;
}

/**
 * What one route asks of the pipeline: optional or required credentials, a requirement (admin, scopes),
 * and an authorization step.
 */
export interface RoutePolicy<Input = unknown> extends AuthRequirement {
  /** Requests without any credentials pass without an identity; bad credentials are still refused. */
  readonly optional?: boolean;
  /**
   * After the requirement, ask the configured decision backend (`authz`); cannot be combined with
   * `optional` (a decision needs an identity).
   */
  readonly authorize?: RouteAuthorization<Input>;
}

/** A {@link RoutePolicy} compiled once by `gate.route()`; adapters hold one per handler they build. */
export interface Route {
  readonly optional: boolean;
  /** Whether the gate's public paths skip this step (the main middleware's route; not the helpers'). */
  readonly publicPaths: boolean;
  readonly requirement: AuthRequirement | undefined;
  /** The authorization step, when the route has one. */
  readonly authorize: CompiledAuthorization | undefined;
}

/** A route's authorization step, compiled: the resource always found by a function. */
export interface CompiledAuthorization {
  readonly action: string;
  readonly resource: (input: unknown) => AuthzResource | Promise<AuthzResource>;
  readonly context: ((input: unknown) => Readonly<Record<string, unknown>>) | undefined;
}

/** The request may go on: with the identity, or without one (public path, optional route). */
export interface Admission {
  readonly admitted: true;
  readonly auth: AuthContext | undefined;
  /** Headers to add to the response (lower-case names), when a step has any. */
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/** The request is refused: write `status`, `headers` and the JSON `body`. */
export interface Refusal extends AuthErrorResponse {
  readonly admitted: false;
  /** Why, with its structured detail (never a credential). */
  readonly error: AnyAuthError;
}

/**
 * The pipeline's answer for one request.
 *
 * @example
 * ```ts
 * const decision = await gate.handle(view, route);
 * if (decision.admitted) console.error(decision.auth?.subject ?? 'no identity');
 * else console.error(decision.status, decision.error.code);
 * ```
 */
export type Decision = Admission | Refusal;
