import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuthzVerdict, ConfigError, createAuthContext, createAuthorizer } from '../src/index.js';

const ISSUER = 'https://idp.example.com';
const alice = createAuthContext({
  subject: 'alice',
  issuer: ISSUER,
  authType: 'oidc',
  scopes: ['telemetry:read'],
  roles: ['analyst'],
  claims: { department: 'ops' },
});
const owned = { type: 'process', id: 'p-1', owner: { subject: 'alice', issuer: ISSUER } };

type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void;

/** A real HTTP server on a loopback port playing the PDP, with what it was sent. */
async function pdp(
  handler: Handler,
  metadata?: (origin: string) => object,
): Promise<{
  url: string;
  seen: { path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[];
  server: Server;
}> {
  const seen: { path: string; headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.url === '/.well-known/authzen-configuration') {
      const doc = metadata?.(origin) ?? {
        policy_decision_point: origin,
        access_evaluation_endpoint: `${origin}/access/v1/evaluation`,
        access_evaluations_endpoint: `${origin}/access/v1/evaluations`,
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      return;
    }
    let text = '';
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      const body = JSON.parse(text || '{}');
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const servers: Server[] = [];
const json = (res: ServerResponse, value: unknown, status = 200) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

async function verdictOf(pending: AuthzVerdict | Promise<AuthzVerdict>): Promise<AuthzVerdict> {
  return pending;
}

describe('AuthZEN backend', () => {
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('finds the PDP from its metadata and sends subject, action, resource and context (AuthZEN 1.0 §6)', async () => {
    const { url, seen } = await pdp((_req, body, res) =>
      json(res, { decision: (body.resource as { id: string }).id === 'p-1' }),
    );
    const authorizer = createAuthorizer({
      backend: 'authzen',
      url,
      claims: ['department'],
      headers: { authorization: 'Bearer pep-secret' },
    });
    expect(await verdictOf(authorizer.authorize(alice, 'read', owned, { method: 'GET' }))).toMatchObject({
      allowed: true,
      backend: 'authzen',
    });
    const denied = await verdictOf(authorizer.authorize(alice, 'read', { type: 'process', id: 'p-2' }));
    expect(denied).toMatchObject({ allowed: false, error: { code: 'access_denied', status: 403 } });
    expect(seen[0]!.path).toBe('/access/v1/evaluation');
    expect(seen[0]!.headers.authorization).toBe('Bearer pep-secret');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0]!.body).toEqual({
      subject: {
        type: 'user',
        id: 'alice',
        properties: {
          issuer: ISSUER,
          auth_type: 'oidc',
          is_admin: false,
          scopes: ['telemetry:read'],
          roles: ['analyst'],
          department: 'ops',
        },
      },
      action: { name: 'read' },
      resource: { type: 'process', id: 'p-1', properties: { owner: { subject: 'alice', issuer: ISSUER } } },
      context: { method: 'GET' },
    });
    // Cached: no second call.
    expect(authorizer.authorize(alice, 'read', owned, { method: 'GET' })).toMatchObject({
      allowed: true,
      cached: true,
    });
    expect(seen).toHaveLength(2);
  });

  it('filters a list with one evaluations batch (§7), subject, action and context as defaults', async () => {
    const { url, seen } = await pdp((_req, body, res) =>
      json(res, {
        evaluations: (body.evaluations as { resource: { id: string } }[]).map((e) => ({
          decision: e.resource.id !== 'p-2',
        })),
      }),
    );
    const authorizer = createAuthorizer({ backend: 'authzen', url });
    const resources = ['p-1', 'p-2', 'p-3'].map((id) => ({ type: 'process', id }));
    const verdicts = await authorizer.authorizeAll(alice, 'list', resources);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, false, true]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe('/access/v1/evaluations');
    expect(seen[0]!.body).toMatchObject({
      subject: { type: 'user', id: 'alice' },
      action: { name: 'list' },
      evaluations: [
        { resource: { type: 'process', id: 'p-1' } },
        { resource: { type: 'process', id: 'p-2' } },
        { resource: { type: 'process', id: 'p-3' } },
      ],
    });
  });

  it('asks item by item when the PDP offers no evaluations endpoint', async () => {
    const { url, seen } = await pdp(
      (_req, body, res) => json(res, { decision: (body.resource as { id: string }).id !== 'p-2' }),
      (origin) => ({
        policy_decision_point: origin,
        access_evaluation_endpoint: `${origin}/access/v1/evaluation`,
      }),
    );
    const authorizer = createAuthorizer({ backend: 'authzen', url });
    const verdicts = await authorizer.authorizeAll(
      alice,
      'list',
      ['p-1', 'p-2'].map((id) => ({ type: 'process', id })),
    );
    expect(verdicts.map((v) => v.allowed)).toEqual([true, false]);
    expect(seen.map((s) => s.path)).toEqual(['/access/v1/evaluation', '/access/v1/evaluation']);
  });

  it.each([
    ['slow', 'timeout', (_req: IncomingMessage, _body: unknown, _res: ServerResponse) => {}],
    [
      'answering 500',
      'bad_response',
      (_req: IncomingMessage, _body: unknown, res: ServerResponse) => json(res, 'boom', 500),
    ],
    [
      'answering without a boolean decision',
      'bad_response',
      (_req: IncomingMessage, _body: unknown, res: ServerResponse) => json(res, { decision: 'yes' }),
    ],
  ])('fails closed when the PDP is %s: 503 %s, never an allow', async (_name, reason, handler) => {
    const { url } = await pdp(handler);
    const authorizer = createAuthorizer({ backend: 'authzen', url, timeoutMs: 200 });
    const started = performance.now();
    const verdict = await verdictOf(authorizer.authorize(alice, 'read', owned));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(verdict).toMatchObject({
      allowed: false,
      error: { code: 'authz_unavailable', status: 503, reason, retryAfterSecs: 1 },
    });
    // Not cached: the next request asks again.
    expect(authorizer.authorize(alice, 'read', owned)).toBeInstanceOf(Promise);
  });

  it('fails closed when the PDP cannot be reached, or its metadata names another PDP (mix-up)', async () => {
    const gone = await pdp(() => {});
    const url = gone.url;
    gone.server.close();
    const unreachable = createAuthorizer({ backend: 'authzen', url, discovery: false });
    expect(await verdictOf(unreachable.authorize(alice, 'read', owned))).toMatchObject({
      allowed: false,
      error: { code: 'authz_unavailable', reason: 'unreachable' },
    });
    const imposter = await pdp(
      (_req, _body, res) => json(res, { decision: true }),
      () => ({
        policy_decision_point: 'https://pdp.attacker.example',
        access_evaluation_endpoint: 'https://pdp.attacker.example/e',
      }),
    );
    const mixedUp = createAuthorizer({ backend: 'authzen', url: imposter.url });
    expect(await verdictOf(mixedUp.authorize(alice, 'read', owned))).toMatchObject({
      allowed: false,
      error: { code: 'authz_unavailable', reason: 'discovery' },
    });
    expect(imposter.seen).toHaveLength(0);
  });

  it('refuses a PDP URL that is not https (outside loopback), naming the field', () => {
    const error = (() => {
      try {
        createAuthorizer({ backend: 'authzen', url: 'http://pdp.example.com' });
      } catch (err) {
        return err as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.field).toBe('authz.url');
    expect(() =>
      createAuthorizer({ backend: 'authzen', url: 'https://pdp.example.com', timeoutMs: 0 }),
    ).toThrow('"authz.timeoutMs"');
  });
});
