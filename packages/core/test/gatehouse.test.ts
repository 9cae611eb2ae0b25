import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthProvider,
  type AuditEvent,
  createGatehouse,
  DevelopmentAuthProvider,
  MultiAuthProvider,
  OidcAuthProvider,
} from '../src/index.js';
import { KeyServer } from './helpers/key-server.js';

describe('Gatehouse request pipeline', () => {
  let idp: KeyServer;
  const events: AuditEvent[] = [];
  const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };
  let gate: ReturnType<typeof createGatehouse>;

  beforeAll(async () => {
    idp = await KeyServer.start();
    gate = createGatehouse({
      realm: 'test',
      logger,
      publicPaths: ['/health', '/docs/*'],
      provider: new MultiAuthProvider([
        new ApiKeyAuthProvider({ keys: [{ name: 'svc', key: 'svc-key-1' }], admins: ['svc'] }),
        new OidcAuthProvider({ issuers: [{ issuer: idp.issuer, audience: idp.audience }] }),
      ]),
    });
  });
  afterAll(() => idp.close());

  it('authenticates a header, and records an accepted event without the token', async () => {
    events.length = 0;
    const token = await idp.sign({ email: 'u@example.com' });
    const auth = await gate.authenticate(`Bearer ${token}`);
    expect(auth.subject).toBe('user-1');
    expect(events).toEqual([
      expect.objectContaining({
        event: 'gatehouse.auth.accepted',
        subject: 'user-1',
        email: 'u@example.com',
        issuer: idp.issuer,
        authType: 'oidc',
        isAdmin: false,
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(token.split('.')[2]);
  });

  it('records the precise reason of a rejection, never the token', async () => {
    events.length = 0;
    const token = await idp.sign({ aud: 'urn:wrong' });
    await expect(gate.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ code: 'audience_mismatch' });
    await expect(gate.authenticate('Bearer wrong-key')).rejects.toMatchObject({ code: 'unknown_api_key' });
    expect(events[0]).toMatchObject({
      event: 'gatehouse.auth.rejected',
      code: 'audience_mismatch',
      expected: [idp.audience],
      actual: ['urn:wrong'],
      status: 401,
    });
    const text = JSON.stringify(events);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[1]);
    expect(text).not.toContain('wrong-key');
  });

  it('optional mode: no credentials is no identity, bad credentials still fail', async () => {
    expect(await gate.authenticate(undefined, { optional: true })).toBeUndefined();
    await expect(gate.authenticate('Bearer nope', { optional: true })).rejects.toMatchObject({ status: 401 });
    await expect(gate.authenticate(undefined)).rejects.toMatchObject({ code: 'missing_credentials' });
  });

  it('authorizes admin and scope requirements', async () => {
    const svc = await gate.authenticate('Bearer svc-key-1');
    expect(gate.authorize(svc, { admin: true })).toBeUndefined();
    expect(gate.authorize(svc, { scopes: ['x'] })).toMatchObject({
      code: 'insufficient_scope',
      missing: ['x'],
    });
    const user = await gate.authenticate(`Bearer ${await idp.sign({ scope: 'x y' })}`);
    expect(gate.authorize(user, { admin: true })).toMatchObject({ code: 'forbidden', status: 403 });
    expect(gate.authorize(user, { scopes: ['x', 'y'] })).toBeUndefined();
  });

  it('maps errors to responses with its realm', async () => {
    const err = await gate.authenticate('Basic abc').catch((e: unknown) => e);
    // An OIDC issuer may send DPoP-bound tokens (DPoP is allowed by default): both challenges (RFC 9449 §7.2).
    expect(gate.respond(err)).toMatchObject({
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer realm="test", DPoP algs="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA Ed25519"',
      },
    });
    expect(gate.respond(new Error('bug'))).toBeUndefined();
  });

  it('matches public paths exactly or by prefix, never across ..', () => {
    expect(gate.isPublic('/health')).toBe(true);
    expect(gate.isPublic('/health/')).toBe(false);
    expect(gate.isPublic('/HEALTH')).toBe(false);
    expect(gate.isPublic('/docs/a/b')).toBe(true);
    expect(gate.isPublic('/docs/../v1/admin/status')).toBe(false);
    expect(gate.isPublic('/v1/whoami')).toBe(false);
  });

  it('passes every request as the development identity when auth is disabled', async () => {
    const dev = createGatehouse({ provider: new DevelopmentAuthProvider() });
    const auth = await dev.authenticate(undefined);
    expect(auth).toMatchObject({ authType: 'anonymous', isAdmin: true });
    expect(await dev.authenticate(['Bearer a', 'Bearer b'])).toBe(auth);
    expect(dev.authorize(auth, { admin: true, scopes: ['anything'] })).toBeUndefined();
  });

  it('configures itself from the environment and fails closed without it', () => {
    const saved = { ...process.env };
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('GATEHOUSE_')) delete process.env[name];
      expect(() => createGatehouse()).toThrow(/no credentials are configured/);
      process.env.GATEHOUSE_API_KEYS = '[{"name":"env","key":"env-key"}]';
      expect(createGatehouse().provider).toBeInstanceOf(ApiKeyAuthProvider);
    } finally {
      process.env = saved;
    }
  });
});
