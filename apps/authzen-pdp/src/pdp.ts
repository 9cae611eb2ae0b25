/**
 * A small OpenID AuthZEN Authorization API 1.0 policy decision point that answers from Cedar policies:
 * metadata (§9), Access Evaluation (§6) and Access Evaluations with defaults and the three semantics
 * (§7). The AuthZEN subject, action and resource become Cedar's principal, action and resource (their
 * `properties` the entities' attributes, under what the PIP, an entities file, knows), the context
 * Cedar's context. It is the PDP the tests run Gatehouse's AuthZEN client against, and the demo's.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';

/**
 * A Cedar entity of the PIP (`{"uid": {"type", "id"}, "attrs", "parents"}`).
 *
 * @example
 * ```ts
 * const rick: PipEntity = { uid: { type: 'user', id: 'rick' }, attrs: { roles: ['admin'] }, parents: [] };
 * ```
 */
export type PipEntity = cedar.EntityJson;

/**
 * What the PDP decides from.
 *
 * @example
 * ```ts
 * const options: PdpOptions = { policies: 'permit (principal, action, resource);', entities: [] };
 * ```
 */
export interface PdpOptions {
  /** Cedar policies (text). */
  readonly policies: string;
  /** What the PDP knows about subjects and resources beyond the request (roles, emails…). */
  readonly entities?: readonly PipEntity[];
  /** The PDP identifier its metadata names; default: the origin the request came to. */
  readonly identifier?: string;
}

type Entity = { type: string; id: string; properties?: Record<string, unknown> };
type Tuple = {
  subject?: Entity;
  action?: { name: string };
  resource?: Entity;
  context?: Record<string, unknown>;
};

/**
 * The PDP's request handler; throws at once if the policies do not parse.
 *
 * @example
 * ```ts
 * createServer(createPdp({ policies: readFileSync('policies.cedar', 'utf8') })).listen(8181);
 * ```
 */
export function createPdp(options: PdpOptions): RequestListener {
  const setId = `pdp-${Math.random().toString(36).slice(2)}`;
  const parsed = cedar.preparsePolicySet(setId, { staticPolicies: options.policies });
  if (parsed.type === 'failure') throw new Error(`bad policies: ${parsed.errors[0]?.message}`);
  const pip = new Map((options.entities ?? []).map((e) => [uidKey(e.uid as cedar.TypeAndId), e]));

  const decide = (tuple: Tuple): { decision: boolean; context?: Record<string, unknown> } => {
    const { subject, action, resource } = tuple;
    if (!valid(subject) || !valid(resource) || typeof action?.name !== 'string') {
      throw new BadRequest('subject, action and resource are required');
    }
    const entities = [entity(subject, pip), entity(resource, pip)];
    const answer = cedar.statefulIsAuthorized({
      principal: { type: subject.type, id: subject.id },
      action: { type: 'Action', id: action.name },
      resource: { type: resource.type, id: resource.id },
      context: (tuple.context ?? {}) as cedar.Context,
      preparsedPolicySetId: setId,
      entities,
    });
    if (answer.type === 'failure') {
      return { decision: false, context: { error: { status: 400, message: answer.errors[0]?.message } } };
    }
    return { decision: answer.response.decision === 'allow' };
  };

  return (req, res) => {
    const requestId = req.headers['x-request-id'];
    if (typeof requestId === 'string') res.setHeader('x-request-id', requestId);
    const origin = options.identifier ?? `http://${req.headers.host}`;
    if (req.method === 'GET' && req.url === '/.well-known/authzen-configuration') {
      return send(res, 200, {
        policy_decision_point: origin,
        access_evaluation_endpoint: `${origin}/access/v1/evaluation`,
        access_evaluations_endpoint: `${origin}/access/v1/evaluations`,
      });
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/access/v1/evaluation'))
      return send(res, 404, 'not found');
    void readJson(req).then(
      (body) => {
        try {
          if (req.url === '/access/v1/evaluation') return send(res, 200, decide(body as Tuple));
          if (req.url === '/access/v1/evaluations') return send(res, 200, evaluations(body, decide));
          return send(res, 404, 'not found');
        } catch (err) {
          return send(res, err instanceof BadRequest ? 400 : 500, (err as Error).message);
        }
      },
      () => send(res, 400, 'the body must be a JSON object'),
    );
  };
}

// §7: top-level subject, action, resource and context are defaults for each evaluation.
function evaluations(body: unknown, decide: (tuple: Tuple) => { decision: boolean }): unknown {
  const request = body as Tuple & { evaluations?: Tuple[]; options?: { evaluations_semantic?: string } };
  const items = request.evaluations;
  if (!Array.isArray(items) || items.length === 0) return { evaluations: [decide(request)] };
  const semantic = request.options?.evaluations_semantic ?? 'execute_all';
  if (!['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'].includes(semantic)) {
    throw new BadRequest(`unknown evaluations_semantic ${semantic}`);
  }
  const out: { decision: boolean }[] = [];
  for (const item of items) {
    const answer = decide({
      subject: item.subject ?? request.subject,
      action: item.action ?? request.action,
      resource: item.resource ?? request.resource,
      context: item.context ?? request.context,
    });
    out.push(answer);
    if (semantic === 'deny_on_first_deny' && !answer.decision) break;
    if (semantic === 'permit_on_first_permit' && answer.decision) break;
  }
  return { evaluations: out };
}

class BadRequest extends Error {}

function valid(entity: Entity | undefined): entity is Entity {
  return typeof entity?.type === 'string' && typeof entity.id === 'string';
}

function uidKey(uid: { type: string; id: string }): string {
  return `${uid.type}\u0000${uid.id}`;
}

// The request's properties, under what the PIP knows (the PDP's own knowledge wins), and the entity's id;
// values Cedar cannot hold (null) and Cedar's escapes (`__entity`) are left out.
function entity(value: Entity, pip: ReadonlyMap<string, PipEntity>): cedar.EntityJson {
  const known = pip.get(uidKey(value));
  const attrs: Record<string, cedar.CedarValueJson> = {};
  for (const [key, item] of Object.entries(value.properties ?? {})) {
    if (item !== null && !key.startsWith('__')) attrs[key] = item as cedar.CedarValueJson;
  }
  Object.assign(attrs, known?.attrs);
  // Cedar cannot turn a string into an entity reference: the id as an attribute lets a policy compare a
  // resource's owner with its principal (`resource.owner.subject == principal.id`).
  attrs.id = value.id;
  return { uid: { type: value.type, id: value.id }, attrs, parents: known?.parents ?? [] };
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1024 * 1024) req.destroy();
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        const value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (value === null || typeof value !== 'object' || Array.isArray(value))
          reject(new Error('not an object'));
        else resolve(value);
      } catch (err) {
        reject(err);
      }
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = typeof body === 'string' ? JSON.stringify({ error: body }) : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' }).end(json);
}
