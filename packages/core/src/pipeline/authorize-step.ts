/**
 * The pipeline's authorization step (after the requirement): a route names an action and how to find the
 * resource; the configured decision backend allows, or refuses with `access_denied`, `insufficient_scope`
 * (only when a scope would help) or `authz_unavailable` (503, never an allow). Also list filtering
 * (`gate.permitted`): one batch for many resources.
 */
import type { AuditLogger } from '../audit.js';
import type { Authorizer, AuthzVerdict } from '../authz/authorizer.js';
import type { AuthzResource } from '../authz/types.js';
import type { AuthContext } from '../context.js';
import { type AuthError, ConfigError } from '../errors.js';
import type { DecisionRecorder } from '../observability/metrics.js';
import { isPending } from '../provider.js';
import { logAccepted, logAuthorized } from './audit-lines.js';
import type { Admission, CompiledAuthorization, Decision, Refusal, RouteAuthorization } from './decision.js';

/**
 * The step as the gate runs it: after this request's authentication (whose acceptance it records, with
 * the decision's detail), or after an identity an earlier step admitted (an `authz.allowed` line of its
 * own). Refusals go through the gate's one `refuse`. @internal
 */
export class AuthorizationStep {
  constructor(
    private readonly authorizer: Authorizer | undefined,
    private readonly metrics: DecisionRecorder,
    private readonly logger: AuditLogger | undefined,
    private readonly refuse: (err: AuthError, auth: AuthContext) => Refusal,
  ) {}

  compile(step: RouteAuthorization<never>, optional: boolean): CompiledAuthorization {
    return compileAuthorization(step, this.authorizer, optional);
  }

  /** After this request's own authentication admitted `admission` (not recorded yet). */
  afterAdmission(
    admission: Admission,
    step: CompiledAuthorization,
    input: unknown,
  ): Decision | Promise<Decision> {
    const auth = admission.auth!;
    const record = (outcome: AuthorizationOutcome): Decision => {
      if (!outcome.verdict.allowed) return this.refuse(outcome.verdict.error, auth);
      this.metrics.accepted(auth);
      if (this.logger !== undefined) logAccepted(this.logger, auth, authzDetail(outcome));
      return admission;
    };
    const outcome = runAuthorization(this.authorizer!, step, auth, input);
    return isPending(outcome) ? outcome.then(record) : record(outcome);
  }

  /** After an identity an earlier step admitted and recorded; `startedAt` times a refusal. */
  afterPrior(
    auth: AuthContext,
    step: CompiledAuthorization,
    input: unknown,
    startedAt: number,
  ): Decision | Promise<Decision> {
    const record = (outcome: AuthorizationOutcome): Decision => {
      if (outcome.verdict.allowed) {
        if (this.logger !== undefined) logAuthorized(this.logger, auth, authzDetail(outcome));
        return { admitted: true, auth, headers: undefined };
      }
      const refusal = this.refuse(outcome.verdict.error, auth);
      this.metrics.timeSince(startedAt);
      return refusal;
    };
    const outcome = runAuthorization(this.authorizer!, step, auth, input);
    return isPending(outcome) ? outcome.then(record) : record(outcome);
  }

  permitted<R extends AuthzResource>(
    auth: AuthContext,
    action: string,
    resources: readonly R[],
    context?: Readonly<Record<string, unknown>>,
  ): R[] | Promise<R[]> {
    if (this.authorizer === undefined) {
      throw new ConfigError('missing_config', `${NO_BACKEND}, but a list asks for decisions: ${FIX}`, {
        field: 'authz',
      });
    }
    return permittedOf(this.authorizer, this.logger, auth, action, resources, context);
  }
}

const NO_BACKEND = 'is not configured';
const FIX = 'give the authz option or set GATEHOUSE_AUTHZ';

/** A decision of the step, with what was asked (for the audit line). */
interface AuthorizationOutcome {
  readonly verdict: AuthzVerdict;
  readonly action: string;
  readonly resource: AuthzResource;
}

/**
 * Compiles a route's step once. A route that asks for a decision when no backend is configured stops
 * start-up (never a route that silently lets everyone through). @internal
 */
function compileAuthorization(
  step: RouteAuthorization<never>,
  authorizer: Authorizer | undefined,
  optional: boolean,
): CompiledAuthorization {
  const action = (step as { action?: unknown } | null)?.action;
  const what = typeof action === 'string' ? ` (authorize "${action}")` : '';
  if (authorizer === undefined) {
    throw new ConfigError('missing_config', `${NO_BACKEND}, but a route asks for a decision${what}: ${FIX}`, {
      field: 'authz',
    });
  }
  const fail = (problem: string): never => {
    throw new ConfigError('invalid_config', `a route${what} ${problem}`);
  };
  if (typeof action !== 'string' || action.trim() === '') fail('needs an action to authorize');
  if (optional) fail('cannot be optional: a decision needs an identity');
  const { resource, context } = step as RouteAuthorization<unknown>;
  if (typeof resource !== 'function' && typeof (resource as { type?: unknown } | null)?.type !== 'string') {
    fail('must give the resource ({ type, id? }) or a function of the request that finds it');
  }
  if (context !== undefined && typeof context !== 'function') fail('must give its context as a function');
  const find = typeof resource === 'function' ? resource : () => resource;
  return Object.freeze({ action: action as string, resource: find, context });
}

/**
 * Finds the route's resource and asks for the decision; synchronous when both are (a constant or
 * parameter-built resource, a cached or in-process decision). A function that throws (or a lookup that
 * rejects) is the application's failure, and reaches its framework's error handling. @internal
 */
function runAuthorization(
  authorizer: Authorizer,
  step: CompiledAuthorization,
  auth: AuthContext,
  input: unknown,
): AuthorizationOutcome | Promise<AuthorizationOutcome> {
  const found = step.resource(input);
  const context = step.context?.(input);
  const decide = (resource: AuthzResource): AuthorizationOutcome | Promise<AuthorizationOutcome> => {
    if (typeof resource?.type !== 'string') {
      throw new TypeError(`authorize("${step.action}"): the resource function returned no { type }`);
    }
    const verdict = authorizer.authorize(auth, step.action, resource, context);
    if (isPending(verdict)) return verdict.then((v) => ({ verdict: v, action: step.action, resource }));
    return { verdict, action: step.action, resource };
  };
  return isPending(found) ? found.then(decide) : decide(found);
}

/** The `authz` field of an audit line: what was asked and who decided (never a token, nor the owner). @internal */
function authzDetail(outcome: AuthorizationOutcome): Record<string, unknown> {
  const { verdict, action, resource } = outcome;
  return {
    action,
    resourceType: resource.type,
    resourceId: resource.id,
    backend: verdict.backend,
    decision: verdict.allowed ? 'allow' : 'deny',
    cached: verdict.cached,
    policies: verdict.policies,
  };
}

/**
 * The resources `auth` may do `action` on (list filtering), in their order: one batch for the uncached
 * ones. Throws (or rejects with) `AuthzUnavailableError` when no decision could be made: never a
 * silently shorter list. @internal
 */
function permittedOf<R extends AuthzResource>(
  authorizer: Authorizer,
  logger: AuditLogger | undefined,
  auth: AuthContext,
  action: string,
  resources: readonly R[],
  context?: Readonly<Record<string, unknown>>,
): R[] | Promise<R[]> {
  const keep = (verdicts: readonly AuthzVerdict[]): R[] => {
    const allowed: R[] = [];
    verdicts.forEach((verdict, i) => {
      if (verdict.allowed) allowed.push(resources[i]!);
      else if (verdict.error.code === 'authz_unavailable') throw verdict.error;
    });
    logger?.info(
      {
        event: 'gatehouse.authz.filtered',
        subject: auth.subject,
        issuer: auth.issuer,
        action,
        resourceTypes: [...new Set(resources.map((r) => r.type))],
        backend: authorizer.point.backend,
        asked: resources.length,
        allowed: allowed.length,
      },
      'list filtered by authorization',
    );
    return allowed;
  };
  if (resources.length === 0) return [];
  const verdicts = authorizer.authorizeAll(auth, action, resources, context);
  return isPending(verdicts) ? verdicts.then(keep) : keep(verdicts);
}
