import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../adapters/http.js';
import { TARGETS } from '../adapters/targets.js';
import { AUTH0_API_AUDIENCE } from './fixtures/auth0.js';
import { oidcConfigFor, startProviders, type TokenCase } from './fixtures/index.js';

// Every adapter, one service trusting the five providers at once, configured the way the apps are: from
// GATEHOUSE_OIDC_CONFIG. Each provider's real tokens must pass; the classic mistakes must be refused with
// a reason that says what went wrong.
const providers = await startProviders();
afterAll(() => providers.close());

const minted = new Map<TokenCase, Promise<string>>();
const tokenOf = (c: TokenCase) => {
  let token = minted.get(c);
  if (token === undefined) {
    token = c.token();
    minted.set(c, token);
  }
  return token;
};

describe.each(TARGETS)('$name adapter', (target) => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ url, close } = await target.start({
      env: {
        GATEHOUSE_OIDC_CONFIG: oidcConfigFor(providers.all),
        GATEHOUSE_API_KEYS: JSON.stringify([{ name: 'legacy', key: 'legacy-key-123' }]),
      },
    }));
  });
  afterAll(() => close?.());

  const get = (path: string, token: string) =>
    send(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  describe.each(providers.all)('$name', (provider) => {
    it.each(provider.cases)('$name', async (c) => {
      const token = await tokenOf(c);
      // Three times: the answer from a verification, and from the token cache, must be the same.
      for (let i = 0; i < 3; i++) {
        const res = await get('/v1/whoami', token);
        expect(res.status, res.body).toBe(c.expected.status);
        expect(res.body).not.toContain(token);
        if (c.expected.status === 200) {
          expect(res.json()).toMatchObject({
            subject: c.expected.subject,
            issuer: c.expected.issuer,
            authType: 'oidc',
            scopes: c.expected.scopes,
            roles: c.expected.roles ?? [],
          });
        } else {
          const challenge = String(res.headers['www-authenticate']);
          expect(challenge).toMatch(/^Bearer realm="conformance"/);
          expect(challenge).toContain('error="invalid_token"');
          expect(challenge).toContain(`error_description="${c.expected.description.replace(/"/g, '\\"')}"`);
          expect(res.json()).toMatchObject({
            error: 'invalid_token',
            error_description: c.expected.description,
          });
        }
      }
    });
  });

  it("grants a route's scope from Auth0 permissions (RBAC) and Entra scp, and only those", async () => {
    const { auth0, entra } = providers;
    const writer = await auth0.userToken({ scope: 'openid', permissions: ['api:write'] });
    expect((await get('/v1/scoped', writer)).status).toBe(200);
    const reader = await auth0.userToken({ scope: 'openid api:read', permissions: [] });
    expect((await get('/v1/scoped', reader)).status).toBe(403);
    expect((await get('/v1/scoped', await entra.v2UserToken({ scp: 'api:write' }))).status).toBe(200);
    // Entra app roles are roles, not scopes: a role named like the scope does not pass a scope check.
    expect((await get('/v1/scoped', await entra.v2AppToken({ roles: ['api:write'] }))).status).toBe(403);
    expect(AUTH0_API_AUDIENCE).toMatch(/^https:/);
  });
});
