/**
 * The AuthZEN backend: a client of any OpenID AuthZEN Authorization API 1.0 policy decision point (OPA,
 * OpenFGA, Cerbos, Topaz…). Its endpoints come from `/.well-known/authzen-configuration` (§9), whose
 * `policy_decision_point` must equal the configured identifier (mix-up defence, §9.2.3). One decision is
 * `POST access_evaluation_endpoint` (§6); a list is one `POST access_evaluations_endpoint` (§7) with the
 * subject, action and context as defaults and one resource per evaluation. Anything but a well-formed
 * decision in time (unreachable, slow, a non-200, no boolean `decision`) is an outage: never an allow.
 */
import type { AuditLogger } from '../audit.js';
import { type AuthzFailure, AuthzUnavailableError, ConfigError } from '../errors.js';
import { FetchError, fetchJson } from '../jwks/fetch-json.js';
import { urlProblem } from '../jwks/url.js';
import { type AuthzenEndpoints, authzenBody, discoverPdp, evaluationsBody } from './authzen-wire.js';
import type { ConfigSource } from './rules.js';
import type { AuthzRequest, DecisionPoint, PointAnswer } from './types.js';

/**
 * Options of the AuthZEN backend.
 *
 * @example
 * ```ts
 * const options: AuthzenOptions = { url: 'https://pdp.example.com', timeoutMs: 300, headers: { authorization: `Bearer ${pdpToken}` } };
 * ```
 */
export interface AuthzenOptions {
  /** The PDP identifier (`policy_decision_point`), e.g. `https://pdp.example.com`; `http://` only on loopback. */
  readonly url: string;
  /** Milliseconds a decision (or the discovery) may take before it is an outage (default 1000). */
  readonly timeoutMs?: number;
  /** Headers for the PDP, e.g. its `authorization` (a secret: never logged nor put in an error). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The AuthZEN `subject.type` (default `user`). */
  readonly subjectType?: string;
  /** Find the endpoints in the PDP's metadata (default true); false: the default paths under `url`. */
  readonly discovery?: boolean;
  /** Reports `gatehouse.authz.pdp_unreachable`. */
  readonly logger?: AuditLogger;
}

/**
 * Defaults of the AuthZEN backend.
 *
 * @example
 * ```ts
 * const point = createAuthzenPoint({ url: 'https://pdp.example.com', timeoutMs: AUTHZEN_DEFAULTS.timeoutMs * 2 });
 * ```
 */
export const AUTHZEN_DEFAULTS = Object.freeze({ timeoutMs: 1000, subjectType: 'user', retryAfterSecs: 1 });

const BATCH = 100;

/**
 * Builds the AuthZEN backend and starts discovering the PDP in the background.
 *
 * @example
 * ```ts
 * const point = createAuthzenPoint({ url: 'https://pdp.example.com', timeoutMs: 300 });
 * ```
 */
export function createAuthzenPoint(options: AuthzenOptions, source: ConfigSource = {}): DecisionPoint {
  const fail = (name: string, problem: string): never => {
    throw new ConfigError('invalid_config', problem, {
      variable: source.variable,
      field: source.field ? `${source.field}.${name}` : name,
    });
  };
  const problem = typeof options.url === 'string' ? urlProblem(options.url) : 'must be a URL';
  if (problem) fail('url', problem);
  const timeoutMs = options.timeoutMs ?? AUTHZEN_DEFAULTS.timeoutMs;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    fail('timeoutMs', 'must be a positive integer (milliseconds)');
  const pdp = options.url.replace(/\/$/, '');
  const limits = { timeoutMs, maxBytes: 1024 * 1024 };
  const subjectType = options.subjectType ?? AUTHZEN_DEFAULTS.subjectType;

  let endpoints: AuthzenEndpoints | undefined =
    options.discovery === false
      ? { evaluation: `${pdp}/access/v1/evaluation`, evaluations: `${pdp}/access/v1/evaluations` }
      : undefined;
  let discovering: Promise<AuthzenEndpoints> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;

  const outage = (reason: AuthzFailure, cause: unknown): AuthzUnavailableError => {
    options.logger?.warn(
      {
        event: 'gatehouse.authz.pdp_unreachable',
        backend: 'authzen',
        pdp,
        reason,
        cause: (cause as Error)?.message,
      },
      'AuthZEN PDP did not decide',
    );
    return new AuthzUnavailableError('authzen', reason, {
      cause,
      retryAfterSecs: AUTHZEN_DEFAULTS.retryAfterSecs,
    });
  };
  const discover = (): Promise<AuthzenEndpoints> => {
    if (endpoints !== undefined) return Promise.resolve(endpoints);
    // A PDP that could not be discovered is asked again at most once per second.
    if (discovering === undefined && performance.now() - failedAt < 1000) {
      return Promise.reject(outage('discovery', new Error('PDP metadata unavailable')));
    }
    discovering ??= discoverPdp(pdp, limits).then(
      (found) => {
        endpoints = found;
        discovering = undefined;
        return found;
      },
      (cause: unknown) => {
        failedAt = performance.now();
        discovering = undefined;
        throw outage('discovery', cause);
      },
    );
    return discovering;
  };
  if (endpoints === undefined) discover().catch(() => {});

  const post = async (url: string, body: unknown): Promise<Record<string, unknown>> => {
    try {
      return await fetchJson(url, limits, {
        headers: {
          'content-type': 'application/json',
          'x-request-id': crypto.randomUUID(),
          ...options.headers,
        },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      throw outage(reasonOf(cause), cause);
    }
  };
  const decision = (value: unknown): PointAnswer => {
    const answer = value as { decision?: unknown } | null;
    if (answer === null || typeof answer !== 'object' || typeof answer.decision !== 'boolean') {
      throw outage('bad_response', new Error('the PDP answered without a boolean "decision"'));
    }
    return { allowed: answer.decision };
  };

  const evaluate = async (request: AuthzRequest): Promise<PointAnswer> => {
    const found = await discover();
    return decision(await post(found.evaluation, authzenBody(request, subjectType)));
  };
  const evaluateMany = async (requests: readonly AuthzRequest[]): Promise<PointAnswer[]> => {
    const found = await discover();
    if (found.evaluations === undefined) return Promise.all(requests.map(evaluate));
    const answers: PointAnswer[] = [];
    for (let start = 0; start < requests.length; start += BATCH) {
      const chunk = requests.slice(start, start + BATCH);
      const reply = await post(found.evaluations, evaluationsBody(chunk, subjectType));
      const list = reply.evaluations;
      if (!Array.isArray(list) || list.length !== chunk.length) {
        throw outage('bad_response', new Error('the PDP answered with another number of evaluations'));
      }
      for (const item of list) answers.push(decision(item));
    }
    return answers;
  };

  return { backend: 'authzen', version: `authzen:${pdp}`, evaluate, evaluateMany, close: () => {} };
}

function reasonOf(cause: unknown): AuthzFailure {
  if (!(cause instanceof FetchError)) return 'unreachable';
  const inner = cause.cause as { name?: string } | undefined;
  if (inner?.name === 'TimeoutError' || inner?.name === 'AbortError') return 'timeout';
  return cause.message.startsWith('request failed') ? 'unreachable' : 'bad_response';
}
