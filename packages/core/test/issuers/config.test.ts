import { describe, expect, it } from 'vitest';
import { ConfigError, createGatehouse, OidcAuthProvider } from '../../src/index.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('per-issuer rules, programmatic (camelCase)', () => {
  it('accepts them and names a bad one by its camelCase path', () => {
    const { provider } = createGatehouse({
      env: false,
      oidc: {
        issuers: [
          {
            preset: 'entra',
            issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
            tenants: ['b8e3f4a1-5c2d-4e6f-8a9b-0c1d2e3f4a5b'],
            audience: 'api://x',
            scopeClaims: ['scp', 'roles'],
            requiredClaims: { ver: '2.0' },
          },
        ],
      },
    });
    expect(provider).toBeInstanceOf(OidcAuthProvider);
    expect((provider as OidcAuthProvider).issuerNames).toEqual([
      'https://login.microsoftonline.com/{tenantid}/v2.0',
    ]);
    expect(
      refusal(() =>
        createGatehouse({
          env: false,
          oidc: {
            issuers: [{ issuer: 'https://idp.example.com', audience: 'a', tokenType: 'jwt' as never }],
          },
        }),
      ),
    ).toBe('"oidc.issuers[0].tokenType" must be one of access_token, id_token');
    expect(
      refusal(() =>
        createGatehouse({
          env: false,
          oidc: {
            issuers: [{ issuer: 'https://idp.example.com', audience: 'a', token_type: 'id_token' } as never],
          },
        }),
      ),
    ).toContain('"oidc.issuers[0].token_type" is not a known field');
  });

  it('builds the provider straight from options too (validated in the constructor)', () => {
    expect(
      refusal(
        () =>
          new OidcAuthProvider({
            issuers: [{ preset: 'keycloak', issuer: 'https://kc.example.com', audience: 'a' }],
          }),
      ),
    ).toBe('"issuers[0].issuer" must be a Keycloak realm: https://<host>/realms/<realm>');
  });
});
