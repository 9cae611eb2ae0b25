import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthProvider,
  type AuditEvent,
  type AuthContext,
  createGatehouse,
  type Decision,
  DevelopmentAuthProvider,
  MultiAuthProvider,
  NodeRequestView,
  OidcAuthProvider,
  requestView,
} from '../src/index.js';
import { FixedClock } from './helpers/clock.js';
import { KeyServer } from './helpers/key-server.js';

const isPromise = (value: unknown): value is Promise<unknown> => value instanceof Promise;

// The pipeline answers synchronously whenever no I/O is needed, and must give the same answer as the
// asynchronous path: a synchronous success only for a credential that is valid at that moment.
describe('request pipeline: one pass, synchronous when no I/O is needed', () => {
  let idp: KeyServer;
  const clock = new FixedClock();
  const events: AuditEvent[] = [];
  const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };
  let oidc: OidcAuthProvider;
  let gate: ReturnType<typeof createGatehouse>;
  const required = () => gate.route();
  const decide = (authorization?: string | string[]) =>
    gate.handle(requestView({ authorization }), required());

  beforeAll(async () => {
    idp = await KeyServer.start();
    oidc = new OidcAuthProvider({
      issuers: [{ issuer: idp.issuer, audience: idp.audience }],
      now: clock.now,
      clockToleranceSecs: 0,
    });
    gate = createGatehouse({
      logger,
      maxTokenLength: 2048,
      provider: new MultiAuthProvider([
        new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'svc-key-1' }], admins: ['svc'] }),
        oidc,
      ]),
    });
  });
  afterAll(() => idp.close());

  it('answers a configured API key, and refuses an unknown one, without a promise', () => {
    const known = decide('Bearer svc-key-1') as Decision;
    expect(isPromise(known)).toBe(false);
    expect(known).toMatchObject({
      admitted: true,
      auth: { subject: 'svc', authType: 'api_key', isAdmin: true },
    });
    expect((decide('bearer svc-key-1') as Decision).admitted).toBe(true);
    const unknown = decide('Bearer svc-key-2') as Decision;
    expect(isPromise(unknown)).toBe(false);
    expect(unknown).toMatchObject({ admitted: false, status: 401, error: { code: 'unknown_api_key' } });
  });

  it('waits only for the first key fetch; afterwards a new token is verified synchronously', async () => {
    const fresh = await KeyServer.start();
    try {
      const gateOfFresh = createGatehouse({
        provider: new OidcAuthProvider({ issuers: [{ issuer: fresh.issuer, audience: fresh.audience }] }),
      });
      const route = gateOfFresh.route();
      const first = gateOfFresh.handle(
        requestView({ authorization: `Bearer ${await fresh.sign({ sub: 'a' })}` }),
        route,
      );
      expect(isPromise(first)).toBe(true);
      expect(await first).toMatchObject({ admitted: true, auth: { subject: 'a' } });
      const second = gateOfFresh.handle(
        requestView({ authorization: `Bearer ${await fresh.sign({ sub: 'b' })}` }),
        route,
      );
      expect(isPromise(second)).toBe(false);
      expect(second).toMatchObject({ admitted: true, auth: { subject: 'b' } });
      expect(fresh.hits.jwks).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('caches a token at its second verification, answers it from the cache, and logs each acceptance', async () => {
    const token = await idp.sign({ sub: 'cached' }, {}, clock.seconds);
    await decide(`Bearer ${token}`);
    expect(oidc.peek(token)).toBeUndefined();
    const verified = ((await decide(`Bearer ${token}`)) as { auth: AuthContext }).auth;
    expect(oidc.peek(token)).toBe(verified);
    events.length = 0;
    const hit = decide(`Bearer ${token}`) as Decision;
    expect(hit).toMatchObject({ admitted: true });
    expect(hit.admitted && hit.auth).toBe(verified);
    expect(events).toEqual([
      expect.objectContaining({ event: 'gatehouse.auth.accepted', subject: 'cached' }),
    ]);
  });

  it('forgets a cached token at its exp', async () => {
    const token = await idp.sign({ sub: 'short', exp: clock.seconds + 30 }, {}, clock.seconds);
    await decide(`Bearer ${token}`);
    await decide(`Bearer ${token}`);
    expect(oidc.peek(token)?.subject).toBe('short');
    clock.advance(30);
    expect(oidc.peek(token)).toBeUndefined();
    expect(await decide(`Bearer ${token}`)).toMatchObject({
      admitted: false,
      error: { code: 'token_expired' },
    });
  });

  it('refuses every unusual header shape, synchronously', async () => {
    const token = await idp.sign({ sub: 'shapes' }, {}, clock.seconds);
    await decide(`Bearer ${token}`);
    await decide(`Bearer ${token}`); // cached from here on: the header shape still decides
    const cases: [string | string[] | undefined, string][] = [
      [undefined, 'missing_credentials'],
      [[`Bearer ${token}`, `Bearer ${token}`], 'invalid_request'], // two Authorization headers
      [`Bearer  ${token}`, ''], // two spaces: accepted
      [`Basic ${token}`, 'missing_credentials'],
      [`Bearer${token}`, 'missing_credentials'],
      [`DPoP ${token}`, 'invalid_dpop_proof'], // DPoP is allowed by default: the proof is missing
      ['Bearer svc-key-1 ', 'invalid_request'],
      ['Bearer svc key', 'invalid_request'],
      [`Bearer ${token}$`, 'invalid_token'],
      [`Bearer ${'a'.repeat(2049)}`, 'invalid_request'], // over this gate's maxTokenLength
    ];
    for (const [header, code] of cases) {
      const decision = decide(header);
      expect(isPromise(decision), String(header).slice(0, 40)).toBe(false);
      if (code) expect(decision, code).toMatchObject({ admitted: false, error: { code } });
      else expect(decision).toMatchObject({ admitted: true, auth: { subject: 'shapes' } });
    }
  });

  it('passes public paths and optional routes without credentials, and only those', () => {
    const open = createGatehouse({
      provider: new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'svc-key-1' }] }),
      publicPaths: ['/health'],
    });
    const main = open.route({}, { publicPaths: true });
    const view = (path: string, authorization?: string) =>
      new NodeRequestView({ rawHeaders: authorization ? ['Authorization', authorization] : [], url: path });
    expect(open.handle(view('/health'), main)).toMatchObject({ admitted: true, auth: undefined });
    expect(open.handle(view('/health?x=1'), main)).toMatchObject({ admitted: true, auth: undefined });
    expect(open.handle(view('/other'), main)).toMatchObject({ admitted: false, status: 401 });
    // A helper's route ignores public paths: an explicit rule on /health is kept.
    expect(open.handle(view('/health'), open.route({ admin: true }))).toMatchObject({ status: 401 });
    const optional = open.route({ optional: true });
    expect(open.handle(view('/x'), optional)).toMatchObject({ admitted: true, auth: undefined });
    expect(open.handle(view('/x', 'Bearer nope'), optional)).toMatchObject({ admitted: false, status: 401 });
    expect(open.handle(view('/x', 'Basic abc'), optional)).toMatchObject({ admitted: false, status: 401 });
    expect(open.handle(view('/x', 'Bearer svc-key-1'), optional)).toMatchObject({ auth: { subject: 'svc' } });
  });

  it('checks only the requirement for a request an earlier step authenticated', () => {
    const user = (decide('Bearer svc-key-1') as { auth: AuthContext }).auth;
    const view = requestView({ authorization: 'Bearer not-even-looked-at' });
    expect(gate.handle(view, gate.route({ admin: true }), user)).toMatchObject({
      admitted: true,
      auth: user,
    });
    expect(gate.handle(view, gate.route({ scopes: ['x'] }), user)).toMatchObject({
      admitted: false,
      status: 403,
      error: { code: 'insufficient_scope' },
    });
    expect(gate.handle(view, gate.route({ scopes: ['x'], orAdmin: true }), user)).toMatchObject({
      admitted: true,
    });
  });

  it('reads a repeated Authorization header from rawHeaders, which Node folds away in req.headers', () => {
    const view = new NodeRequestView({
      rawHeaders: ['authorization', 'Bearer svc-key-1', 'AUTHORIZATION', 'Bearer x'],
    });
    expect(gate.handle(view, required())).toMatchObject({
      admitted: false,
      status: 400,
      error: { reason: 'duplicate_header' },
    });
  });

  it('answers the development identity without any header', async () => {
    const dev = createGatehouse({ provider: new DevelopmentAuthProvider() });
    const decision = dev.handle(requestView({}), dev.route({ admin: true, scopes: ['any'] }));
    expect(decision).toMatchObject({ admitted: true, auth: { authType: 'anonymous' } });
    expect((decision as { auth: AuthContext }).auth).toBe(await dev.authenticate(undefined));
  });

  it('asks a provider without resolve() through validateToken, after the syntax check', async () => {
    const seen: string[] = [];
    const custom = createGatehouse({
      provider: {
        validateToken: (token) => {
          seen.push(token);
          return Promise.reject(new Error('not reached for malformed tokens'));
        },
      },
    });
    expect(custom.handle(requestView({ authorization: 'Bearer a"b' }), custom.route())).toMatchObject({
      status: 400,
      error: { reason: 'malformed' },
    });
    expect(seen).toEqual([]);
  });
});
