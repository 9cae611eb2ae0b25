import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  type BackchannelLogout,
  ConfigError,
  createAuthContext,
  createGatehouse,
  type Gatehouse,
  LogoutTokenError,
  type Revocations,
} from '../src/index.js';
import { KeyServer } from './helpers/key-server.js';
import { callRoute, logoutForm } from './helpers/routes.js';

const EVENTS = { [BACKCHANNEL_LOGOUT_EVENT]: {} };
const nowSecs = () => Math.floor(Date.now() / 1000);

describe('back-channel logout (OpenID Connect Back-Channel Logout 1.0 §2.6)', () => {
  let idp: KeyServer;
  let revocations: Revocations;
  const backchannelLogout = (token: string) =>
    callRoute(gate, 'POST', '/v1/backchannel-logout', { body: logoutForm(token) });
  let logout: BackchannelLogout;
  let gate: Gatehouse;
  let n = 0;

  beforeAll(async () => {
    idp = await KeyServer.start({ audience: 'telemetry-api' });
    gate = createGatehouse({
      oidc: { issuers: [{ issuer: idp.issuer, audience: 'telemetry-api' }] },
      backchannelLogout: { clientIds: { [idp.issuer]: ['telemetry-api', 'web-client'] } },
      routes: true,
      env: false,
    });
    revocations = gate.revocations;
    logout = gate.logout!;
  });
  afterAll(() => idp?.close());

  const token = (
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = { typ: 'logout+jwt' },
  ) => idp.sign({ jti: `logout-${++n}`, events: EVENTS, exp: undefined, ...claims }, { header });
  const auth = (subject: string, claims: Record<string, unknown>) =>
    createAuthContext({ subject, issuer: idp.issuer, authType: 'oidc', claims: { sub: subject, ...claims } });

  it("revokes the subject's tokens issued before the logout token, on 200, and refuses a replay", async () => {
    const iat = nowSecs();
    const logoutToken = await token({ sub: 'carol', iat });
    expect(await backchannelLogout(logoutToken)).toMatchObject({ status: 200 });
    expect(revocations.check(auth('carol', { iat: iat - 5 }))?.code).toBe('token_revoked');
    expect(revocations.check(auth('carol', { iat }))).toBeUndefined();
    expect(revocations.check(auth('dave', { iat: iat - 5 }))).toBeUndefined();
    const replay = await backchannelLogout(logoutToken);
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(revocations.list().filter((r) => r.subject === 'carol')).toHaveLength(1);
  });

  it('revokes a session by sid when there is no sub, and accepts another configured client id', async () => {
    const iat = nowSecs();
    await logout.handle(await token({ sub: undefined, sid: 'sess-9', iat, aud: 'web-client' }));
    expect(revocations.check(auth('erin', { sid: 'sess-9', iat: iat - 1 }))?.code).toBe('token_revoked');
    expect(revocations.check(auth('erin', { sid: 'sess-8', iat: iat - 1 }))).toBeUndefined();
  });

  it.each([
    ['a wrong typ', { sub: 'x' }, { typ: 'JWT' }, 'typ'],
    ['no events', { sub: 'x', events: undefined }, undefined, 'events'],
    ['events without the logout event', { sub: 'x', events: { other: {} } }, undefined, 'events'],
    [
      'an event that is not an object',
      { sub: 'x', events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } },
      undefined,
      'events',
    ],
    ['a nonce', { sub: 'x', nonce: 'n' }, undefined, 'nonce'],
    ['neither sub nor sid', { sub: undefined }, undefined, 'sub'],
    ['no jti', { sub: 'x', jti: undefined }, undefined, 'jti'],
    ['no iat', { sub: 'x', iat: undefined }, undefined, 'iat'],
    ['an iat in the future', { sub: 'x', iat: nowSecs() + 3600 }, undefined, 'iat'],
    ['another audience', { sub: 'x', aud: 'someone-else' }, undefined, 'aud'],
  ])('refuses a logout token with %s (400)', async (_, claims, header, claim) => {
    const logoutToken = await token(claims, header ?? { typ: 'logout+jwt' });
    const err = await logout.handle(logoutToken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogoutTokenError);
    expect((err as LogoutTokenError).claim).toBe(claim);
    expect((await backchannelLogout(logoutToken)).status).toBe(400);
  });

  it('refuses a too old, an expired, a foreign or a forged logout token (400)', async () => {
    const old = await token({ sub: 'x', iat: nowSecs() - 3600 });
    expect(await logout.handle(old).catch((e: LogoutTokenError) => e.problem)).toBe('too_old');
    const expired = await token({ sub: 'x', iat: nowSecs() - 200, exp: nowSecs() - 100 });
    expect(await logout.handle(expired).catch((e: LogoutTokenError) => e.problem)).toBe('too_old');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await idp.sign({ sub: 'x', jti: 'f', events: EVENTS }, { key: privateKey });
    expect(await logout.handle(forged).catch((e: LogoutTokenError) => e.problem)).toBe('untrusted');
    const foreign = await idp.sign({ sub: 'x', jti: 'g', events: EVENTS, iss: 'https://evil.example' });
    expect(await logout.handle(foreign).catch((e: LogoutTokenError) => e.problem)).toBe('untrusted');
    for (const form of [
      '',
      'other=1',
      'logout_token=',
      'logout_token=not-a-jwt',
      'logout_token=a&logout_token=b',
    ]) {
      const answer = await callRoute(gate, 'POST', '/v1/backchannel-logout', {
        body: new URLSearchParams(form),
      });
      expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
    const asJson = await callRoute(gate, 'POST', '/v1/backchannel-logout', { body: { logout_token: old } });
    expect(asJson.status).toBe(400);
  });
});

describe('the logout-token audience, configured per issuer (backchannel_logout_audience)', () => {
  let idp: KeyServer;
  let n = 0;
  beforeAll(async () => {
    idp = await KeyServer.start({ audience: 'telemetry-api' });
  });
  afterAll(() => idp?.close());

  const logoutToken = (aud: string) =>
    idp.sign(
      { aud, sub: 'carol', jti: `aud-${++n}`, events: EVENTS, exp: undefined },
      { header: { typ: 'logout+jwt' } },
    );
  const gateFromEnv = (issuer: Record<string, unknown>) =>
    createGatehouse({ routes: true, env: { GATEHOUSE_OIDC_CONFIG: JSON.stringify({ issuers: [issuer] }) } });
  const logoutAt = async (gate: Gatehouse, aud: string) =>
    (await callRoute(gate, 'POST', '/v1/backchannel-logout', { body: logoutForm(await logoutToken(aud)) }))
      .status;

  it('accepts logout tokens for the client id named in GATEHOUSE_OIDC_CONFIG, and no longer the API audience', async () => {
    const gate = gateFromEnv({
      issuer: idp.issuer,
      audience: 'telemetry-api',
      backchannel_logout_audience: 'telemetry-portal',
    });
    expect(await logoutAt(gate, 'telemetry-portal')).toBe(200);
    expect(await logoutAt(gate, 'telemetry-api')).toBe(400);
    expect(gate.revocations.list()).toMatchObject([
      { kind: 'subject', subject: 'carol', source: 'backchannel_logout' },
    ]);
  });

  it('takes a list of client ids programmatically, and defaults to the audience without one', async () => {
    const listed = createGatehouse({
      oidc: {
        issuers: [
          { issuer: idp.issuer, audience: 'telemetry-api', backchannelLogoutAudience: ['web', 'cli'] },
        ],
      },
      routes: true,
      env: false,
    });
    expect(await logoutAt(listed, 'cli')).toBe(200);
    expect(await logoutAt(listed, 'other')).toBe(400);
    const plain = gateFromEnv({ issuer: idp.issuer, audience: 'telemetry-api' });
    expect(await logoutAt(plain, 'telemetry-api')).toBe(200);
  });

  it("applies to logout tokens that use one of the issuer's aliases", async () => {
    const alias = `${idp.issuer}/alias`;
    const gate = gateFromEnv({
      issuer: idp.issuer,
      aliases: [alias],
      audience: 'telemetry-api',
      backchannel_logout_audience: 'telemetry-portal',
    });
    const viaAlias = await idp.sign(
      { iss: alias, aud: 'telemetry-portal', sub: 'dave', jti: `aud-${++n}`, events: EVENTS, exp: undefined },
      { header: { typ: 'logout+jwt' } },
    );
    expect(
      (await callRoute(gate, 'POST', '/v1/backchannel-logout', { body: logoutForm(viaAlias) })).status,
    ).toBe(200);
    expect(gate.revocations.list()).toMatchObject([{ subject: 'dave', issuer: idp.issuer }]);
  });

  it.each([
    ['an empty string', ' '],
    ['an empty list', []],
    ['a number', 7],
    ['a list with a number', ['web', 7]],
  ])('refuses %s, naming the variable and the field', (_, value) => {
    const err = (() => {
      try {
        gateFromEnv({ issuer: idp.issuer, audience: 'telemetry-api', backchannel_logout_audience: value });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.variable).toBe('GATEHOUSE_OIDC_CONFIG');
    expect(err.field).toMatch(/^issuers\[0\]\.backchannel_logout_audience/);
  });

  it('refuses the camelCase spelling in the environment', () => {
    expect(() =>
      gateFromEnv({ issuer: idp.issuer, audience: 'telemetry-api', backchannelLogoutAudience: 'web' }),
    ).toThrow(ConfigError);
  });
});
