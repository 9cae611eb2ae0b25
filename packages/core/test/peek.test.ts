import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyAuthProvider,
  type AuditEvent,
  createGatehouse,
  DevelopmentAuthProvider,
  MultiAuthProvider,
  OidcAuthProvider,
} from '../src/index.js';
import { FixedClock } from './helpers/clock.js';
import { KeyServer } from './helpers/key-server.js';

// peek() is the synchronous fast path the adapters take before authenticate(): it may only ever answer
// for a credential that authenticate() would accept at that moment.
describe('synchronous fast path (peek)', () => {
  let idp: KeyServer;
  const clock = new FixedClock();
  const events: AuditEvent[] = [];
  const logger = { info: (e: AuditEvent) => events.push(e), warn: (e: AuditEvent) => events.push(e) };
  let oidc: OidcAuthProvider;
  let gate: ReturnType<typeof createGatehouse>;

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

  it('knows a configured API key, and nothing about an unknown one', () => {
    expect(gate.peek('Bearer svc-key-1')).toMatchObject({
      subject: 'svc',
      authType: 'api_key',
      isAdmin: true,
    });
    expect(gate.peek('bearer svc-key-1')?.subject).toBe('svc');
    expect(gate.peek('Bearer svc-key-2')).toBeUndefined();
  });

  it('knows a token once authenticate() has verified it twice, and logs the acceptance', async () => {
    const token = await idp.sign({ sub: 'peeked' }, {}, clock.seconds);
    expect(gate.peek(`Bearer ${token}`)).toBeUndefined();
    await gate.authenticate(`Bearer ${token}`);
    expect(gate.peek(`Bearer ${token}`)).toBeUndefined();
    const verified = await gate.authenticate(`Bearer ${token}`);
    events.length = 0;
    expect(gate.peek(`Bearer ${token}`)).toBe(verified);
    expect(events).toEqual([
      expect.objectContaining({ event: 'gatehouse.auth.accepted', subject: 'peeked' }),
    ]);
  });

  it('forgets a token at its exp', async () => {
    const token = await idp.sign({ sub: 'short', exp: clock.seconds + 30 }, {}, clock.seconds);
    await gate.authenticate(`Bearer ${token}`);
    await gate.authenticate(`Bearer ${token}`);
    expect(gate.peek(`Bearer ${token}`)?.subject).toBe('short');
    clock.advance(30);
    expect(gate.peek(`Bearer ${token}`)).toBeUndefined();
    await expect(gate.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('leaves every unusual header to authenticate(), which refuses it', async () => {
    const token = await idp.sign({ sub: 'shapes' }, {}, clock.seconds);
    await gate.authenticate(`Bearer ${token}`);
    await gate.authenticate(`Bearer ${token}`);
    const cases: [string | string[] | undefined, string][] = [
      [undefined, 'missing_credentials'],
      [[`Bearer ${token}`, `Bearer ${token}`], 'invalid_request'], // two Authorization headers
      [`Bearer  ${token}`, ''], // two spaces: parsed (and accepted) by authenticate() only
      [`Basic ${token}`, 'missing_credentials'],
      [`Bearer${token}`, 'missing_credentials'],
      ['Bearer svc-key-1 ', 'invalid_request'],
      [`Bearer ${'a'.repeat(2049)}`, 'invalid_request'], // over this gate's maxTokenLength
    ];
    for (const [header, code] of cases) {
      expect(gate.peek(header)).toBeUndefined();
      if (code) await expect(gate.authenticate(header)).rejects.toMatchObject({ code });
      else expect((await gate.authenticate(header)).subject).toBe('shapes');
    }
  });

  it('answers the development identity without any header, like authenticate()', async () => {
    const dev = createGatehouse({ provider: new DevelopmentAuthProvider() });
    expect(dev.peek(undefined)).toBe(await dev.authenticate(undefined));
  });

  it('answers nothing for a provider without peek()', () => {
    const custom = createGatehouse({
      provider: { validateToken: () => Promise.reject(new Error('not reached')) },
    });
    expect(custom.peek('Bearer abc')).toBeUndefined();
  });
});
