import { type AuthContext, missingScopes } from '../context.js';
import {
  AccessDeniedError,
  type AuthzBackendName,
  AuthzUnavailableError,
  InsufficientScopeError,
} from '../errors.js';
import type { DecisionRecorder } from '../observability/metrics.js';
import { isPending } from '../provider.js';
import { DecisionCache } from './decision-cache.js';
import { SubjectBuilder } from './subject.js';
import type { AuthzRequest, AuthzResource, DecisionPoint, PointAnswer } from './types.js';

/**
 * Defaults of the decision cache.
 *
 * @example
 * ```ts
 * const authorizer = createAuthorizer({ backend: 'cedar', policies: 'p.cedar', cache: { ...AUTHZ_CACHE_DEFAULTS, ttlSecs: 10 } });
 * ```
 */
export const AUTHZ_CACHE_DEFAULTS = Object.freeze({ size: 10_000, ttlSecs: 60 });

/**
 * The outcome of one authorization: allowed, or refused with the error to answer with (403
 * `access_denied`, 403 `insufficient_scope` when a scope would have helped, 503 `authz_unavailable`).
 *
 * @example
 * ```ts
 * const verdict = await authorizer.authorize(auth, 'read', { type: 'process', id: 'p-1' });
 * if (!verdict.allowed) console.warn(verdict.error.code);
 * ```
 */
export type AuthzVerdict =
  | {
      readonly allowed: true;
      readonly backend: AuthzBackendName;
      readonly cached: boolean;
      readonly policies: readonly string[] | undefined;
    }
  | {
      readonly allowed: false;
      readonly backend: AuthzBackendName;
      readonly cached: boolean;
      readonly policies: readonly string[] | undefined;
      readonly error: AccessDeniedError | InsufficientScopeError | AuthzUnavailableError;
    };

/**
 * Options of an {@link Authorizer}.
 *
 * @example
 * ```ts
 * const options: AuthorizerOptions = { point: createRulesPoint({ rules: [] }), cache: { size: 1000 } };
 * ```
 */
export interface AuthorizerOptions {
  readonly point: DecisionPoint;
  /** Claims (top-level names) that reach the backend besides subject, issuer, scopes and roles. */
  readonly claims?: readonly string[];
  readonly cache?: { readonly size?: number; readonly ttlSecs?: number };
  /** Counts every decision (`gatehouse_authz_decisions_total`). */
  readonly recorder?: DecisionRecorder;
  /** The clock (milliseconds), for tests. */
  readonly now?: () => number;
}

/**
 * The authorization step's engine: asks a {@link DecisionPoint}, caches its answers, counts every
 * decision, and turns a denial or an outage into the error to answer with. A decision that is cached, or
 * made by an in-process backend, is returned synchronously; only a PDP call is a promise. Concurrent
 * requests for one undecided question share one call.
 *
 * @example
 * ```ts
 * const authorizer = new Authorizer({ point: createRulesPoint({ rules: [{ action: 'read', allow: { owner: true } }] }) });
 * const verdict = authorizer.authorize(auth, 'read', { type: 'process', id: 'p-1', owner });
 * ```
 */
export class Authorizer {
  readonly point: DecisionPoint;
  readonly cache: DecisionCache;
  private readonly subjects: SubjectBuilder;
  private readonly recorder: DecisionRecorder | undefined;
  private readonly pending = new Map<string, Promise<PointAnswer>>();
  private readonly cachedAllows = new WeakMap<PointAnswer, AuthzVerdict>();

  constructor(options: AuthorizerOptions) {
    this.point = options.point;
    this.subjects = new SubjectBuilder(options.claims);
    this.recorder = options.recorder;
    this.cache = new DecisionCache({
      // A point never cached (the rules) gets no cache to allocate.
      size: this.point.cacheable === false ? 0 : (options.cache?.size ?? AUTHZ_CACHE_DEFAULTS.size),
      ttlSecs: options.cache?.ttlSecs ?? AUTHZ_CACHE_DEFAULTS.ttlSecs,
      now: options.now ?? Date.now,
    });
  }

  /** May `auth` do `action` on `resource`? Synchronous when cached or decided in process. */
  authorize(
    auth: AuthContext,
    action: string,
    resource: AuthzResource,
    context: Readonly<Record<string, unknown>> = NO_CONTEXT,
  ): AuthzVerdict | Promise<AuthzVerdict> {
    const request: AuthzRequest = { subject: this.subjects.of(auth), action, resource, context };
    if (this.point.cacheable === false) return this.direct(auth, request);
    const key = DecisionCache.key(request, this.point.version);
    const cached = this.cache.get(key);
    if (cached !== undefined) return this.verdict(auth, request, cached, true);
    let answer: PointAnswer | Promise<PointAnswer>;
    try {
      answer = this.pending.get(key) ?? this.point.evaluate(request);
    } catch (err) {
      return this.failed(err);
    }
    if (!isPending(answer)) return this.settle(auth, request, key, answer);
    if (!this.pending.has(key)) {
      this.pending.set(key, answer);
      const forget = () => this.pending.delete(key);
      answer.then(forget, forget);
    }
    return answer.then(
      (settled) => this.settle(auth, request, key, settled),
      (err: unknown) => this.failed(err),
    );
  }

  /**
   * One verdict per resource (list filtering): cached answers are used, every other one is asked in one
   * batch (`evaluations`). An outage fails the whole batch (each verdict carries the 503 error).
   */
  authorizeAll(
    auth: AuthContext,
    action: string,
    resources: readonly AuthzResource[],
    context: Readonly<Record<string, unknown>> = NO_CONTEXT,
  ): AuthzVerdict[] | Promise<AuthzVerdict[]> {
    const subject = this.subjects.of(auth);
    const verdicts: AuthzVerdict[] = new Array(resources.length);
    const asked: { index: number; request: AuthzRequest; key: string }[] = [];
    const cacheable = this.point.cacheable !== false;
    resources.forEach((resource, index) => {
      const request: AuthzRequest = { subject, action, resource, context };
      const key = cacheable ? DecisionCache.key(request, this.point.version) : '';
      const cached = cacheable ? this.cache.get(key) : undefined;
      if (cached !== undefined) verdicts[index] = this.verdict(auth, request, cached, true);
      else asked.push({ index, request, key });
    });
    if (asked.length === 0) return verdicts;
    const fill = (answers: readonly PointAnswer[]): AuthzVerdict[] => {
      if (answers.length !== asked.length) {
        return this.fillFailed(
          verdicts,
          asked,
          new AuthzUnavailableError(this.point.backend, 'bad_response'),
        );
      }
      asked.forEach(({ index, request, key }, i) => {
        verdicts[index] = cacheable
          ? this.settle(auth, request, key, answers[i]!)
          : this.verdict(auth, request, answers[i]!, false);
      });
      return verdicts;
    };
    let answers: PointAnswer[] | Promise<PointAnswer[]>;
    try {
      answers = this.point.evaluateMany(asked.map((a) => a.request));
    } catch (err) {
      return this.fillFailed(verdicts, asked, err);
    }
    if (!isPending(answers)) return fill(answers);
    return answers.then(fill, (err: unknown) => this.fillFailed(verdicts, asked, err));
  }

  /** Stops the decision point (file watchers, timers). */
  close(): void {
    this.point.close();
  }

  // A point not worth caching (in process and cheap): asked every time, synchronously or not.
  private direct(auth: AuthContext, request: AuthzRequest): AuthzVerdict | Promise<AuthzVerdict> {
    let answer: PointAnswer | Promise<PointAnswer>;
    try {
      answer = this.point.evaluate(request);
    } catch (err) {
      return this.failed(err);
    }
    if (!isPending(answer)) return this.verdict(auth, request, answer, false);
    return answer.then(
      (settled) => this.verdict(auth, request, settled, false),
      (err: unknown) => this.failed(err),
    );
  }

  private settle(auth: AuthContext, request: AuthzRequest, key: string, answer: PointAnswer): AuthzVerdict {
    this.cache.set(key, answer, auth.expiresAt?.getTime());
    return this.verdict(auth, request, answer, false);
  }

  private verdict(
    auth: AuthContext,
    request: AuthzRequest,
    answer: PointAnswer,
    cached: boolean,
  ): AuthzVerdict {
    const backend = this.point.backend;
    this.recorder?.authorized(backend, answer.allowed ? 'allow' : 'deny', cached);
    if (answer.allowed) {
      if (!cached) return { allowed: true, backend, cached, policies: answer.policies };
      let verdict = this.cachedAllows.get(answer);
      if (verdict === undefined) {
        verdict = Object.freeze({ allowed: true, backend, cached: true, policies: answer.policies });
        this.cachedAllows.set(answer, verdict);
      }
      return verdict;
    }
    // insufficient_scope only when a scope would have helped (RFC 6750 §3.1).
    const missing = answer.scopes ? missingScopes(auth, answer.scopes) : [];
    const error =
      missing.length > 0
        ? new InsufficientScopeError(answer.scopes!, missing)
        : new AccessDeniedError({
            action: request.action,
            resourceType: request.resource.type,
            resourceId: request.resource.id,
            backend,
            policies: answer.policies,
          });
    return { allowed: false, backend, cached, policies: answer.policies, error };
  }

  private failed(err: unknown): AuthzVerdict {
    const backend = this.point.backend;
    const error =
      err instanceof AuthzUnavailableError
        ? err
        : new AuthzUnavailableError(backend, 'engine', { cause: err });
    this.recorder?.authorized(backend, 'error', false);
    return { allowed: false, backend, cached: false, policies: undefined, error };
  }

  private fillFailed(
    verdicts: AuthzVerdict[],
    asked: readonly { index: number }[],
    err: unknown,
  ): AuthzVerdict[] {
    for (const { index } of asked) verdicts[index] = this.failed(err);
    return verdicts;
  }
}

const NO_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});
