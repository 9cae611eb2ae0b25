/**
 * The routes the library serves itself (`routes: true`: readiness, metrics, revocations, back-channel
 * logout, and the protected resource metadata when a resource is configured), framework-neutral: adapters ask {@link match}
 * for every request (a `Map` lookup) and hand a match to {@link serve}, which checks access through the
 * same pipeline as any route, reads the body through the adapter's reader, and answers every failure
 * through the one error table.
 */
import { DEFAULTS } from '../config/defaults.js';
import type { ResolvedRoutes } from '../config/options.js';
import { isAuthError, RequestBodyError } from '../errors.js';
import type { AuthErrorResponse } from '../http/response.js';
import type { DecisionRecorder } from '../observability/metrics.js';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from '../observability/prometheus.js';
import type { ReadinessReport } from '../observability/readiness.js';
import { readinessAnswer } from '../observability/readiness.js';
import type { Decision, Route, RoutePolicy } from '../pipeline/decision.js';
import type { RequestView } from '../pipeline/request.js';
import type { BackchannelLogout } from '../revocation/backchannel-logout.js';
import type { Revocations } from '../revocation/revocations.js';
import { emptyAnswer, type HttpAnswer, jsonAnswer, NO_STORE } from './answer.js';
import type { BodyReader, RequestBody } from './body.js';
import {
  backchannelLogout,
  createRevocation,
  listRevocations,
  removeRevocation,
} from './revocation-routes.js';

/** The scope that lets a non-admin identity (a Prometheus scraper's API key) read `GET /metrics`. */
export const METRICS_SCOPE = 'metrics:read';

type Name = 'ready' | 'metrics' | 'revocations' | 'revocation' | 'backchannelLogout' | 'resourceMetadata';

/** What the routes use of their gate (a `Gatehouse`). */
export interface RouteGate {
  readonly revocations: Revocations;
  readonly metrics: DecisionRecorder;
  route(policy: RoutePolicy): Route;
  handle(view: RequestView, route: Route): Decision | Promise<Decision>;
  respond(err: unknown): AuthErrorResponse | undefined;
  ready(): ReadinessReport;
}

/** A request that one of the operational routes serves (or refuses with 405). */
export interface RouteMatch {
  readonly name: Name;
  /** The methods the path takes, when the request's is not one of them. */
  readonly allowed?: readonly string[];
  /** The `{id}` of `DELETE /v1/admin/revocations/{id}`. */
  readonly id?: string;
}

const METHODS: Readonly<Record<Name, readonly string[]>> = {
  ready: ['GET', 'HEAD'],
  metrics: ['GET', 'HEAD'],
  revocations: ['GET', 'HEAD', 'POST'],
  revocation: ['DELETE'],
  backchannelLogout: ['POST'],
  resourceMetadata: ['GET', 'HEAD', 'OPTIONS'],
};

// The metadata changes only with the configuration: caches may keep it for an hour, and browser-based
// clients on any origin may read it (RFC 9728 §3: it is public), including after the CORS preflight that
// their MCP-Protocol-Version header causes.
const METADATA_HEADERS = Object.freeze({
  'cache-control': 'public, max-age=3600',
  'access-control-allow-origin': '*',
});
const PREFLIGHT_HEADERS = Object.freeze({
  ...METADATA_HEADERS,
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-max-age': '86400',
});

// Answered without a credential: served publicly, whatever the main middleware requires.
const PUBLIC: ReadonlySet<Name> = new Set(['ready', 'backchannelLogout', 'resourceMetadata']);

/**
 * The operational routes of one gate.
 *
 * @example
 * ```ts
 * const match = gate.routes?.match(req.method, path);
 * if (match !== undefined) {
 *   const answer = await gate.routes!.serve(match, new NodeRequestView(req), nodeBodyReader(req));
 *   res.writeHead(answer.status, answer.headers).end(answer.body);
 * }
 * ```
 */
export class OperationalRoutes {
  private readonly exact = new Map<string, Name>();
  private readonly revocationPrefix: string | undefined;
  private readonly admin: Route;
  private readonly scraper: Route;

  constructor(
    private readonly gate: RouteGate,
    /** The paths served. */
    readonly paths: ResolvedRoutes,
    private readonly logout: BackchannelLogout | undefined,
    /** The protected resource metadata (RFC 9728), when a resource is configured. */
    private readonly resourceMetadata?: Readonly<Record<string, unknown>>,
  ) {
    if (paths.ready) this.exact.set(paths.ready, 'ready');
    if (resourceMetadata !== undefined) {
      for (const path of paths.resourceMetadata ?? []) this.exact.set(path, 'resourceMetadata');
    }
    if (paths.metrics) this.exact.set(paths.metrics, 'metrics');
    if (paths.revocations) this.exact.set(paths.revocations, 'revocations');
    if (paths.backchannelLogout) this.exact.set(paths.backchannelLogout, 'backchannelLogout');
    this.revocationPrefix = paths.revocations && `${paths.revocations}/`;
    this.admin = gate.route({ admin: true });
    this.scraper = gate.route({ scopes: [METRICS_SCOPE], orAdmin: true });
  }

  /** The operational route a request is for, if any: synchronous, no allocation for other paths. */
  match(method: string, path: string): RouteMatch | undefined {
    let name = this.exact.get(path);
    let id: string | undefined;
    if (name === undefined) {
      const prefix = this.revocationPrefix;
      if (prefix === undefined || !path.startsWith(prefix)) return undefined;
      id = path.slice(prefix.length);
      if (id.length === 0 || id.includes('/')) return undefined;
      name = 'revocation';
      try {
        id = decodeURIComponent(id);
      } catch {
        id = '';
      }
    }
    const allowed = METHODS[name];
    return allowed.includes(method) ? { name, id } : { name, id, allowed };
  }

  /**
   * Answers a matched request: access checked (public, admins, or `metrics:read`), the body read and
   * checked, then the route's answer. Never rejects for client input.
   */
  async serve(match: RouteMatch, view: RequestView, readBody: BodyReader): Promise<HttpAnswer> {
    if (match.allowed !== undefined) {
      return jsonAnswer(
        405,
        { error: 'method_not_allowed', error_description: `use ${match.allowed.join(', ')}` },
        { allow: match.allowed.join(', ') },
      );
    }
    const guard = match.name === 'metrics' ? this.scraper : PUBLIC.has(match.name) ? undefined : this.admin;
    if (guard !== undefined) {
      const decision = await this.gate.handle(view, guard);
      if (!decision.admitted) return jsonAnswer(decision.status, decision.body, decision.headers);
    }
    try {
      return await this.answer(match, view, readBody);
    } catch (err) {
      if (!isAuthError(err)) throw err;
      const response = this.gate.respond(err)!;
      return jsonAnswer(response.status, response.body, response.headers);
    }
  }

  private async answer(match: RouteMatch, view: RequestView, readBody: BodyReader): Promise<HttpAnswer> {
    const revocations = this.gate.revocations;
    switch (match.name) {
      case 'ready': {
        const ready = readinessAnswer(this.gate.ready());
        return jsonAnswer(ready.status, ready.body);
      }
      case 'metrics':
        return {
          status: 200,
          headers: { ...NO_STORE, 'content-type': PROMETHEUS_CONTENT_TYPE },
          body: prometheusText(this.gate.metrics),
        };
      case 'revocations':
        if (view.method !== 'POST') return listRevocations(revocations);
        return createRevocation(revocations, await jsonBody(view, readBody), this.paths.revocations!);
      case 'revocation':
        return removeRevocation(revocations, match.id ?? '');
      case 'backchannelLogout':
        return backchannelLogout(this.logout, await formBody(view, readBody));
      case 'resourceMetadata':
        if (view.method === 'OPTIONS') return emptyAnswer(204, PREFLIGHT_HEADERS);
        return jsonAnswer(200, this.resourceMetadata, METADATA_HEADERS);
    }
  }
}

async function jsonBody(view: RequestView, readBody: BodyReader): Promise<unknown> {
  const body = await readBody(DEFAULTS.routeBodyMaxBytes);
  if (!isType(view, 'application/json')) {
    throw new RequestBodyError('malformed', 'send the revocation as application/json');
  }
  if ('parsed' in body) return body.parsed;
  try {
    return JSON.parse(body.text);
  } catch {
    throw new RequestBodyError('malformed', 'the body is not valid JSON');
  }
}

async function formBody(view: RequestView, readBody: BodyReader): Promise<URLSearchParams> {
  const body: RequestBody = await readBody(DEFAULTS.routeBodyMaxBytes);
  if (!isType(view, 'application/x-www-form-urlencoded')) {
    throw new RequestBodyError('malformed', 'send logout_token as application/x-www-form-urlencoded');
  }
  if ('text' in body) return new URLSearchParams(body.text);
  // A framework's form parser ran first: its object, with repeated fields as arrays.
  const form = new URLSearchParams();
  if (body.parsed !== null && typeof body.parsed === 'object') {
    for (const [name, value] of Object.entries(body.parsed as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string') form.append(name, item);
        else throw new RequestBodyError('malformed', `"${name.slice(0, 64)}" must be a string`);
      }
    }
  }
  return form;
}

function isType(view: RequestView, type: string): boolean {
  const value = view.header('content-type');
  return typeof value === 'string' && value.split(';')[0]!.trim().toLowerCase() === type;
}
