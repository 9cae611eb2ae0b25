import { type FetchLimits, fetchJson } from '../jwks/fetch-json.js';
import { urlProblem } from '../jwks/url.js';
import type { AuthzRequest, AuthzResource, AuthzSubject } from './types.js';

/** Where a PDP answers. @internal */
export interface AuthzenEndpoints {
  readonly evaluation: string;
  /** Absent when the PDP does not offer batches: the list is then asked item by item. */
  readonly evaluations: string | undefined;
}

/**
 * Reads the PDP metadata (AuthZEN 1.0 §9): the well-known string goes between the host and the path of
 * the PDP identifier, and the document's `policy_decision_point` must be that identifier exactly.
 * @internal
 */
export async function discoverPdp(pdp: string, limits: FetchLimits): Promise<AuthzenEndpoints> {
  const id = new URL(pdp);
  const path = id.pathname === '/' ? '' : id.pathname;
  const url = `${id.origin}/.well-known/authzen-configuration${path}`;
  const metadata = await fetchJson(url, limits);
  if (
    typeof metadata.policy_decision_point !== 'string' ||
    metadata.policy_decision_point.replace(/\/$/, '') !== pdp
  ) {
    throw new Error(`PDP metadata names another policy_decision_point (${url})`);
  }
  const endpoint = (name: string, fallback: string | undefined): string | undefined => {
    const value = metadata[name];
    if (value === undefined) return fallback;
    const problem = typeof value === 'string' ? urlProblem(value) : 'must be a URL';
    if (problem) throw new Error(`PDP metadata ${name} ${problem} (${url})`);
    return value as string;
  };
  // §11.1: without the parameter, the default path under the PDP's base URL.
  const evaluation = endpoint('access_evaluation_endpoint', `${pdp}/access/v1/evaluation`)!;
  return { evaluation, evaluations: endpoint('access_evaluations_endpoint', undefined) };
}

/** The AuthZEN subject: `id` is the subject, the rest of the identity goes in `properties`. @internal */
function authzenSubject(subject: AuthzSubject, type: string): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    issuer: subject.issuer,
    auth_type: subject.authType,
    is_admin: subject.isAdmin,
    scopes: subject.scopes,
    roles: subject.roles,
    ...subject.claims,
  };
  if (subject.email !== undefined) properties.email = subject.email;
  return { type, id: subject.id, properties };
}

/** The AuthZEN resource; a collection (no id) is `*`, the owner a `properties.owner` object. @internal */
function authzenResource(resource: AuthzResource): Record<string, unknown> {
  const properties: Record<string, unknown> = { ...resource.properties };
  if (resource.owner !== undefined) {
    properties.owner = { subject: resource.owner.subject, issuer: resource.owner.issuer };
  }
  const body: Record<string, unknown> = { type: resource.type, id: resource.id ?? '*' };
  if (Object.keys(properties).length > 0) body.properties = properties;
  return body;
}

/** An Access Evaluation request (§6.1). @internal */
export function authzenBody(request: AuthzRequest, subjectType: string): Record<string, unknown> {
  return {
    subject: authzenSubject(request.subject, subjectType),
    action: { name: request.action },
    resource: authzenResource(request.resource),
    context: request.context,
  };
}

/**
 * An Access Evaluations request (§7.1) for requests of one subject, action and context (a list): those
 * are the defaults, and each evaluation names its resource.
 * @internal
 */
export function evaluationsBody(
  requests: readonly AuthzRequest[],
  subjectType: string,
): Record<string, unknown> {
  const first = requests[0]!;
  return {
    subject: authzenSubject(first.subject, subjectType),
    action: { name: first.action },
    context: first.context,
    evaluations: requests.map((request) =>
      request.action === first.action
        ? { resource: authzenResource(request.resource) }
        : { action: { name: request.action }, resource: authzenResource(request.resource) },
    ),
    options: { evaluations_semantic: 'execute_all' },
  };
}
