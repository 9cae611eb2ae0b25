import type { AuthContext } from '../context.js';
import type { AnyAuthError } from '../errors.js';
import type { AuthErrorResponse } from '../http/response.js';
import type { AuthRequirement } from '../policy/requirement.js';

/** What one route asks of the pipeline: optional or required credentials, plus a requirement. */
export interface RoutePolicy extends AuthRequirement {
  /** Requests without any credentials pass without an identity; bad credentials are still refused. */
  readonly optional?: boolean;
}

/** A {@link RoutePolicy} compiled once by `gate.route()`; adapters hold one per handler they build. */
export interface Route {
  readonly optional: boolean;
  /** Whether the gate's public paths skip this step (the main middleware's route; not the helpers'). */
  readonly publicPaths: boolean;
  readonly requirement: AuthRequirement | undefined;
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
