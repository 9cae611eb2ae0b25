import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createGatehouse,
  IntrospectionAuthProvider,
  MultiAuthProvider,
  resolveConfig,
} from '../src/index.js';

const oidc = (issuers: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ issuers, ...extra });
const IDP = { issuer: 'https://idp.example.com', audience: 'api' };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('DPoP, introspection and public URL configuration', () => {
  it('reads per-issuer dpop modes and the introspection client in snake_case', () => {
    const config = resolveConfig({
      env: {
        GATEHOUSE_OIDC_CONFIG: oidc(
          [
            { ...IDP, dpop: 'required', introspection: { client_id: 'rs', client_secret: 'rs-secret' } },
            { issuer: 'https://other.example.com', audience: 'api', dpop: 'disabled' },
          ],
          { dpop_nonce_secret: 'x'.repeat(32), dpop_nonce_rotation_secs: 120 },
        ),
      },
    });
    expect(config.oidc?.issuers[0]).toMatchObject({
      dpop: 'required',
      introspection: { clientId: 'rs', clientSecret: 'rs-secret' },
    });
    expect(config.oidc).toMatchObject({ dpopNonceSecret: 'x'.repeat(32), dpopNonceRotationSecs: 120 });
    const provider = createGatehouse({ oidc: config.oidc, env: false }).provider;
    expect(provider).toBeInstanceOf(MultiAuthProvider);
    expect((provider as MultiAuthProvider).providers.at(-1)).toBeInstanceOf(IntrospectionAuthProvider);
  });

  it.each([
    [
      { ...IDP, dpop: 'sometimes' },
      'GATEHOUSE_OIDC_CONFIG: "issuers[0].dpop" must be one of allowed, required, disabled',
    ],
    [{ ...IDP, introspection: { client_id: 'rs' } }, '"issuers[0].introspection.client_secret" is required'],
    [
      { ...IDP, introspection: { client_id: 'rs', client_secret: '' } },
      '"issuers[0].introspection.client_secret" must not be empty',
    ],
    [
      { ...IDP, introspection: { client_id: 'rs', client_secret: 's', extra: 1 } },
      '"issuers[0].introspection.extra" is not a known field',
    ],
    [
      {
        ...IDP,
        introspection: { client_id: 'rs', client_secret: 's', endpoint: 'http://idp.example.com/i' },
      },
      '"issuers[0].introspection.endpoint" must be an https:// URL',
    ],
  ])('refuses a bad issuer entry, naming the field (%#)', (entry, message) => {
    const err = configError(() => resolveConfig({ env: { GATEHOUSE_OIDC_CONFIG: oidc([entry]) } }));
    expect(err.message).toContain(message);
    expect(err.message).not.toContain('rs-secret');
  });

  it('refuses introspection on two issuers, and two DPoP modes for one issuer', () => {
    const intro = { client_id: 'rs', client_secret: 's' };
    expect(
      configError(() =>
        resolveConfig({
          env: {
            GATEHOUSE_OIDC_CONFIG: oidc([
              { ...IDP, introspection: intro },
              { issuer: 'https://other.example.com', audience: 'api', introspection: intro },
            ]),
          },
        }),
      ).message,
    ).toContain('"issuers[1].introspection" is already set on another issuer');
    expect(
      configError(() =>
        resolveConfig({
          env: {
            GATEHOUSE_OIDC_CONFIG: oidc([
              { ...IDP, dpop: 'required' },
              { ...IDP, audience: 'api-2' },
            ]),
          },
        }),
      ).message,
    ).toContain('"issuers[1].dpop" differs from an earlier entry of the same issuer');
  });

  it('refuses a short nonce secret without repeating it', () => {
    const err = configError(() =>
      resolveConfig({ env: { GATEHOUSE_OIDC_CONFIG: oidc([IDP], { dpop_nonce_secret: 'tooshort' }) } }),
    );
    expect(err.message).toBe('GATEHOUSE_OIDC_CONFIG: "dpop_nonce_secret" must be at least 32 bytes');
  });

  it('takes the public URL from GATEHOUSE_PUBLIC_URL, else from HOST and PORT, never guessing a wildcard', () => {
    const base = { GATEHOUSE_OIDC_CONFIG: oidc([IDP]) };
    expect(
      resolveConfig({ env: { ...base, GATEHOUSE_PUBLIC_URL: 'https://API.example.com/gw/' } }).publicUrl,
    ).toBe('https://api.example.com/gw');
    expect(resolveConfig({ env: { ...base, PORT: '8080' } }).publicUrl).toBe('http://127.0.0.1:8080');
    expect(resolveConfig({ env: { ...base, PORT: '8080', HOST: 'localhost' } }).publicUrl).toBe(
      'http://localhost:8080',
    );
    expect(resolveConfig({ env: { ...base, PORT: '8080', HOST: '::1' } }).publicUrl).toBe(
      'http://[::1]:8080',
    );
    expect(resolveConfig({ env: { ...base, PORT: '8080', HOST: '0.0.0.0' } }).publicUrl).toBeUndefined();
    expect(resolveConfig({ env: { ...base, PORT: '0' } }).publicUrl).toBeUndefined();
    expect(resolveConfig({ env: base }).publicUrl).toBeUndefined();
    for (const bad of ['not a url', 'https://api.example.com/?q=1', 'ftp://x']) {
      expect(
        configError(() => resolveConfig({ env: { ...base, GATEHOUSE_PUBLIC_URL: bad } })).message,
      ).toMatch(/^GATEHOUSE_PUBLIC_URL: /);
    }
  });

  it('reads the trusted client-certificate header', () => {
    const base = { GATEHOUSE_OIDC_CONFIG: oidc([IDP]) };
    expect(
      resolveConfig({ env: { ...base, GATEHOUSE_CLIENT_CERT_HEADER: 'X-Client-Cert' } })
        .clientCertificateHeader,
    ).toBe('x-client-cert');
    expect(
      configError(() => resolveConfig({ env: { ...base, GATEHOUSE_CLIENT_CERT_HEADER: 'bad header' } }))
        .message,
    ).toContain('GATEHOUSE_CLIENT_CERT_HEADER');
  });
});
