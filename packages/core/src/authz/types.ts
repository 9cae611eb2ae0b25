/**
 * The one small interface between the authorization step and its decision backends (built-in rules,
 * Cedar in process, an AuthZEN PDP, or your own): a neutral request in, allow or deny out.
 */
import type { AuthType } from '../context.js';
import type { AuthzBackendName } from '../errors.js';

/**
 * Who owns a resource: the identity that created it (subject and issuer, as on the `AuthContext`).
 *
 * @example
 * ```ts
 * const owner: ResourceOwner = { subject: record.sender.subject, issuer: record.sender.issuer };
 * ```
 */
export interface ResourceOwner {
  readonly subject: string;
  readonly issuer: string;
}

/**
 * What a route acts on. `id` is absent for a collection (listing, creating); `owner` feeds the
 * "subject is the owner" rule and the backends' owner attributes; `properties` go to the backend as they are.
 *
 * @example
 * ```ts
 * const resource: AuthzResource = { type: 'process', id: 'p-42', owner: { subject: 'svc-a', issuer: 'api_key' } };
 * ```
 */
export interface AuthzResource {
  readonly type: string;
  readonly id?: string;
  readonly owner?: ResourceOwner;
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * The subject as every backend sees it, built once per `AuthContext`: the identity, its scopes and roles,
 * and only the claims the configuration chose (`claims`).
 *
 * @example
 * ```ts
 * const admin = subject.isAdmin || subject.roles.includes('admin');
 * ```
 */
export interface AuthzSubject {
  readonly id: string;
  readonly issuer: string;
  readonly authType: AuthType;
  readonly isAdmin: boolean;
  readonly email?: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** The chosen claims that the token carries. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** A digest of everything above: the subject's part of a decision-cache key. */
  readonly key: string;
}

/**
 * One question for a decision backend: may `subject` do `action` on `resource` in `context`?
 *
 * @example
 * ```ts
 * const request: AuthzRequest = { subject, action: 'read', resource: { type: 'process', id: 'p-1' }, context: {} };
 * ```
 */
export interface AuthzRequest {
  readonly subject: AuthzSubject;
  readonly action: string;
  readonly resource: AuthzResource;
  readonly context: Readonly<Record<string, unknown>>;
}

/**
 * A backend's answer. `scopes`, on a denial, are scopes that would have allowed it (the built-in rules
 * know; other backends leave it out), which turns the 403 into `insufficient_scope`.
 *
 * @example
 * ```ts
 * const answer: PointAnswer = { allowed: false, scopes: ['telemetry:read'] };
 * ```
 */
export interface PointAnswer {
  readonly allowed: boolean;
  /** The policies or rules that decided, when the backend names them (audit lines). */
  readonly policies?: readonly string[];
  readonly scopes?: readonly string[];
}

/**
 * A policy decision point. `evaluate` answers synchronously when it can (rules, Cedar) and with a
 * promise only for I/O (an AuthZEN PDP). It throws or rejects with `AuthzUnavailableError` when no
 * decision can be made: never an allow by default. `version` changes whenever the policies change, and
 * is part of every cache key.
 *
 * @example
 * ```ts
 * const everyoneReads: DecisionPoint = {
 *   backend: 'custom',
 *   version: '1',
 *   evaluate: (request) => ({ allowed: request.action === 'read' }),
 *   evaluateMany: (requests) => requests.map((request) => ({ allowed: request.action === 'read' })),
 *   close: () => {},
 * };
 * ```
 */
export interface DecisionPoint {
  readonly backend: AuthzBackendName;
  readonly version: string;
  /**
   * False when deciding costs less than a cache lookup (the built-in rules): the authorizer then never
   * caches this point's answers. Default true.
   */
  readonly cacheable?: boolean;
  evaluate(request: AuthzRequest): PointAnswer | Promise<PointAnswer>;
  /** One answer per request, in order (AuthZEN `evaluations`: list filtering in one round trip). */
  evaluateMany(requests: readonly AuthzRequest[]): PointAnswer[] | Promise<PointAnswer[]>;
  /** Stops watching files, timers and connections. */
  close(): void;
}
