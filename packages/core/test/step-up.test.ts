import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createGatehouse, type Decision, type Gatehouse, requestView } from '../src/index.js';
import { KeyServer, now } from './helpers/key-server.js';

// A resource server in the pipeline: tokens for the resource (RFC 8707) from an issuer configured
// without an audience, challenges that point to the metadata (RFC 9728) and name the route's scopes, and
// routes that demand a step-up (RFC 9470).
const RESOURCE = 'https://api.example.com/mcp';
const META = 'https://api.example.com/.well-known/oauth-protected-resource/mcp';
const MFA = 'urn:example:mfa';

let idp: KeyServer;
let gate: Gatehouse;
// Every refusal but a step-up counts against the address: those come from other addresses.
const decide = async (token: string | undefined, route = gate.route(), address = '10.0.0.9') =>
  gate.handle(requestView({ authorization: token && `Bearer ${token}`, remoteAddress: address }), route);
const challenge = (decision: Decision) =>
  decision.admitted ? undefined : decision.headers['www-authenticate'];

beforeAll(async () => {
  idp = await KeyServer.start({ audience: RESOURCE });
  await idp.addKey();
  gate = createGatehouse({
    env: false,
    resource: RESOURCE,
    // DPoP off: the challenges are the Bearer one alone (DPoP's are the adapter suite's).
    oidc: { issuers: [{ issuer: idp.issuer, dpop: 'disabled' }] },
    // One failed authentication blocks the address: a step-up must not count as one.
    failedAuthLimit: { attempts: 1, windowSecs: 60 },
  });
});
afterAll(() => idp?.close());

describe('a resource server in the pipeline', () => {
  it('accepts tokens whose aud names the resource, and refuses other audiences pointing to the metadata', async () => {
    expect(await decide(await idp.sign({ aud: RESOURCE }))).toMatchObject({ admitted: true });
    expect(await decide(await idp.sign({ aud: ['other', RESOURCE] }))).toMatchObject({ admitted: true });
    const other = await decide(
      await idp.sign({ aud: 'https://other.example.com' }),
      gate.route(),
      '10.0.0.1',
    );
    expect(other).toMatchObject({ admitted: false, status: 401, error: { code: 'audience_mismatch' } });
    expect(challenge(other)).toContain(`resource_metadata="${META}"`);
  });

  it("names the route's scopes on a 401 and on a 403", async () => {
    const scoped = gate.route({ scopes: ['api:read', 'api:write'] });
    expect(challenge(await decide(undefined, scoped, '10.0.0.2'))).toBe(
      `Bearer realm="gatehouse", scope="api:read api:write", resource_metadata="${META}"`,
    );
    const missing = await decide(await idp.sign({ scope: 'api:read' }), scoped, '10.0.0.2');
    expect(missing).toMatchObject({ status: 403, error: { code: 'insufficient_scope' } });
    expect(challenge(missing)).toContain('scope="api:read api:write"');
  });
});

describe('step-up (RFC 9470)', () => {
  it("asks a password-only login for the acr (with the route's scopes), and lets an MFA login in", async () => {
    const route = gate.route({ scopes: ['api:admin'], acr: [MFA], maxAge: 300 });
    const weak = await decide(
      await idp.sign({ acr: 'urn:example:pwd', auth_time: now(), scope: 'api:admin' }),
      route,
    );
    expect(weak).toMatchObject({
      admitted: false,
      status: 401,
      error: { code: 'insufficient_user_authentication', reason: 'acr', acrValues: [MFA], maxAge: 300 },
    });
    expect(challenge(weak)).toBe(
      'Bearer realm="gatehouse", error="insufficient_user_authentication", error_description="a stronger authentication is required", ' +
        `scope="api:admin", acr_values="${MFA}", max_age="300", resource_metadata="${META}"`,
    );
    // Not a failed authentication: the address is not blocked (failedAuthLimit is 1).
    const strong = await idp.sign({ acr: MFA, auth_time: now() - 10, scope: 'api:admin' });
    expect(await decide(strong, route)).toMatchObject({ admitted: true, auth: { subject: 'user-1' } });
  });

  it('asks an old login for max_age, and a login without auth_time too', async () => {
    const route = gate.route({ maxAge: 60 });
    const old = await decide(await idp.sign({ auth_time: now() - 61 }), route);
    expect(old).toMatchObject({ status: 401, error: { reason: 'max_age', maxAge: 60 } });
    expect(challenge(old)).toContain('max_age="60"');
    expect(challenge(old)).not.toContain('acr_values');
    expect(await decide(await idp.sign({}), route)).toMatchObject({ status: 401 });
    expect(await decide(await idp.sign({ auth_time: now() - 5 }), route)).toMatchObject({ admitted: true });
  });

  it('checks the step-up before the scopes, and applies to admins whatever orAdmin waives', async () => {
    const route = gate.route({ scopes: ['api:admin'], acr: [MFA] });
    const neither = await decide(await idp.sign({ acr: 'pwd' }), route);
    expect(neither).toMatchObject({ status: 401, error: { code: 'insufficient_user_authentication' } });
    const noScope = await decide(await idp.sign({ acr: MFA }), route);
    expect(noScope).toMatchObject({ status: 403, error: { code: 'insufficient_scope' } });
  });

  it('rechecks an identity an earlier step admitted (route helpers behind the main middleware)', async () => {
    const admitted = await decide(await idp.sign({ acr: 'pwd' }));
    expect(admitted.admitted).toBe(true);
    const auth = admitted.admitted ? admitted.auth : undefined;
    const refused = await gate.handle(requestView({}), gate.route({ acr: [MFA] }), auth);
    expect(refused).toMatchObject({ status: 401, error: { code: 'insufficient_user_authentication' } });
    expect(challenge(refused)).toContain(`resource_metadata="${META}"`);
  });

  it('refuses a malformed requirement when the route is built, naming the field', () => {
    expect(() => gate.route({ acr: [] })).toThrow(ConfigError);
    expect(() => gate.route({ acr: [''] })).toThrow(/"acr\[0\]" must not be empty/);
    expect(() => gate.route({ maxAge: -1 })).toThrow(/"maxAge" must be between 0/);
    expect(() => gate.route({ maxAge: 1.5 })).toThrow(/"maxAge" must be an integer/);
  });
});
