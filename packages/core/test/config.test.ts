import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiKeyAuthProvider,
  ConfigError,
  createGatehouse,
  DevelopmentAuthProvider,
  MultiAuthProvider,
  OidcAuthProvider,
  resolveConfig,
} from '../src/index.js';

const ISSUER = JSON.stringify({ issuers: [{ issuer: 'https://idp.example.com', audience: 'api' }] });
const KEYS = JSON.stringify([{ name: 'service1', key: 'secret-key-123' }]);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig from the environment', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads every variable, applying the documented defaults', () => {
    const config = resolveConfig({
      env: {
        GATEHOUSE_API_KEYS: KEYS,
        GATEHOUSE_OIDC_CONFIG: ISSUER,
        GATEHOUSE_ADMINS: '["alice@example.com"]',
      },
    });
    expect(config.apiKeys).toEqual([{ name: 'service1', key: 'secret-key-123' }]);
    expect(config.admins).toEqual(['alice@example.com']);
    expect(config.oidc).toMatchObject({
      issuers: [{ issuer: 'https://idp.example.com', audience: 'api' }],
      jwksRefreshIntervalSecs: 3600,
      tokenCacheSize: 1000,
      tokenCacheTtlSecs: 300,
      jwksCooldownSecs: 30,
      clockToleranceSecs: 60,
    });
    expect(
      createGatehouse({ env: { GATEHOUSE_API_KEYS: KEYS, GATEHOUSE_OIDC_CONFIG: ISSUER } }).provider,
    ).toBeInstanceOf(MultiAuthProvider);
  });

  it('accepts the snake_case tuning fields', () => {
    const config = resolveConfig({
      env: {
        GATEHOUSE_OIDC_CONFIG: JSON.stringify({
          issuers: [
            { issuer: 'http://127.0.0.1:8080', audience: ['a', 'b'], jwks_uri: 'http://localhost:8080/jwks' },
          ],
          jwks_refresh_interval_secs: 60,
          token_cache_size: 5,
          token_cache_ttl_secs: 10,
          jwks_cooldown_secs: 5,
          clock_tolerance_secs: 0,
        }),
      },
    });
    expect(config.oidc).toMatchObject({
      jwksRefreshIntervalSecs: 60,
      tokenCacheSize: 5,
      tokenCacheTtlSecs: 10,
    });
    expect(createGatehouse({ oidc: config.oidc, env: false }).provider).toBeInstanceOf(OidcAuthProvider);
  });

  it('refuses to start with nothing configured', () => {
    const err = configError(() => resolveConfig({ env: {} }));
    expect(err.code).toBe('missing_config');
    expect(err.message).toMatch(/GATEHOUSE_API_KEYS.*GATEHOUSE_OIDC_CONFIG/);
    expect(
      configError(() => resolveConfig({ env: { GATEHOUSE_API_KEYS: '  ', GATEHOUSE_ADMINS: '[]' } })).code,
    ).toBe('missing_config');
  });

  const malformed: [string, Record<string, string>, string, string | undefined][] = [
    ['bad JSON keys', { GATEHOUSE_API_KEYS: '[{name:' }, 'GATEHOUSE_API_KEYS', undefined],
    ['bad JSON oidc', { GATEHOUSE_OIDC_CONFIG: '{' }, 'GATEHOUSE_OIDC_CONFIG', undefined],
    ['keys not a list', { GATEHOUSE_API_KEYS: '{}' }, 'GATEHOUSE_API_KEYS', undefined],
    ['empty key list', { GATEHOUSE_API_KEYS: '[]' }, 'GATEHOUSE_API_KEYS', undefined],
    ['missing name', { GATEHOUSE_API_KEYS: '[{"key":"k1"}]' }, 'GATEHOUSE_API_KEYS', '[0].name'],
    ['empty key', { GATEHOUSE_API_KEYS: '[{"name":"a","key":""}]' }, 'GATEHOUSE_API_KEYS', '[0].key'],
    [
      'key with a space',
      { GATEHOUSE_API_KEYS: '[{"name":"a","key":"a b"}]' },
      'GATEHOUSE_API_KEYS',
      '[0].key',
    ],
    [
      'duplicate key',
      { GATEHOUSE_API_KEYS: '[{"name":"a","key":"k"},{"name":"b","key":"k"}]' },
      'GATEHOUSE_API_KEYS',
      '[1].key',
    ],
    [
      'unknown key field',
      { GATEHOUSE_API_KEYS: '[{"name":"a","key":"k","kye":1}]' },
      'GATEHOUSE_API_KEYS',
      '[0].kye',
    ],
    ['oidc not an object', { GATEHOUSE_OIDC_CONFIG: '[]' }, 'GATEHOUSE_OIDC_CONFIG', undefined],
    ['no issuers', { GATEHOUSE_OIDC_CONFIG: '{}' }, 'GATEHOUSE_OIDC_CONFIG', 'issuers'],
    ['empty issuers', { GATEHOUSE_OIDC_CONFIG: '{"issuers":[]}' }, 'GATEHOUSE_OIDC_CONFIG', 'issuers'],
    [
      'missing audience',
      { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"issuer":"https://a.example"}]}' },
      'GATEHOUSE_OIDC_CONFIG',
      'issuers[0].audience',
    ],
    [
      'empty audience',
      { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"issuer":"https://a.example","audience":" "}]}' },
      'GATEHOUSE_OIDC_CONFIG',
      'issuers[0].audience',
    ],
    [
      'missing issuer',
      { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"audience":"a"}]}' },
      'GATEHOUSE_OIDC_CONFIG',
      'issuers[0].issuer',
    ],
    [
      'relative issuer',
      { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"issuer":"idp","audience":"a"}]}' },
      'GATEHOUSE_OIDC_CONFIG',
      'issuers[0].issuer',
    ],
    [
      'http issuer',
      { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"issuer":"http://idp.example.com","audience":"a"}]}' },
      'GATEHOUSE_OIDC_CONFIG',
      'issuers[0].issuer',
    ],
    [
      '0.0.0.0 issuer',
      { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"issuer":"http://0.0.0.0:8080","audience":"a"}]}' },
      'GATEHOUSE_OIDC_CONFIG',
      'issuers[0].issuer',
    ],
    [
      'look-alike localhost',
      { GATEHOUSE_OIDC_CONFIG: '{"issuers":[{"issuer":"http://localhost.evil.com","audience":"a"}]}' },
      'GATEHOUSE_OIDC_CONFIG',
      'issuers[0].issuer',
    ],
    [
      'http jwks_uri',
      {
        GATEHOUSE_OIDC_CONFIG:
          '{"issuers":[{"issuer":"https://a.example","audience":"a","jwks_uri":"http://a.example/k"}]}',
      },
      'GATEHOUSE_OIDC_CONFIG',
      'issuers[0].jwks_uri',
    ],
    [
      'HS256 allowed',
      {
        GATEHOUSE_OIDC_CONFIG:
          '{"issuers":[{"issuer":"https://a.example","audience":"a"}],"algorithms":["HS256"]}',
      },
      'GATEHOUSE_OIDC_CONFIG',
      'algorithms[0]',
    ],
    [
      'negative size',
      {
        GATEHOUSE_OIDC_CONFIG:
          '{"issuers":[{"issuer":"https://a.example","audience":"a"}],"token_cache_size":-1}',
      },
      'GATEHOUSE_OIDC_CONFIG',
      'token_cache_size',
    ],
    [
      'string ttl',
      {
        GATEHOUSE_OIDC_CONFIG:
          '{"issuers":[{"issuer":"https://a.example","audience":"a"}],"token_cache_ttl_secs":"300"}',
      },
      'GATEHOUSE_OIDC_CONFIG',
      'token_cache_ttl_secs',
    ],
    [
      'camelCase in env',
      {
        GATEHOUSE_OIDC_CONFIG:
          '{"issuers":[{"issuer":"https://a.example","audience":"a"}],"tokenCacheSize":5}',
      },
      'GATEHOUSE_OIDC_CONFIG',
      'tokenCacheSize',
    ],
    [
      'admins not a list',
      { GATEHOUSE_API_KEYS: KEYS, GATEHOUSE_ADMINS: '"alice"' },
      'GATEHOUSE_ADMINS',
      undefined,
    ],
    ['empty admin', { GATEHOUSE_API_KEYS: KEYS, GATEHOUSE_ADMINS: '[""]' }, 'GATEHOUSE_ADMINS', '[0]'],
    [
      'disable flag typo',
      { GATEHOUSE_API_KEYS: KEYS, GATEHOUSE_DISABLE_AUTH: 'yes' },
      'GATEHOUSE_DISABLE_AUTH',
      undefined,
    ],
  ];

  it.each(malformed)('refuses %s, naming the variable and the field', (_, env, variable, field) => {
    const err = configError(() => resolveConfig({ env: env }));
    expect(err.code).toBe('invalid_config');
    expect(err.variable).toBe(variable);
    expect(err.field).toBe(field);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
    if (field) expect(err.message).toContain(`"${field}"`);
  });

  it('never repeats a secret in a configuration error', () => {
    const err = configError(() =>
      resolveConfig({ env: { GATEHOUSE_API_KEYS: '[{"name":"a","key":"super secret value"}]' } }),
    );
    expect(err.message).not.toContain('super secret value');
    const json = configError(() =>
      resolveConfig({ env: { GATEHOUSE_API_KEYS: '[{"name":"a","key":"hunter2-key"' } }),
    );
    expect(json.message).not.toContain('hunter2');
  });

  it('accepts an empty admins list as no admins', () => {
    expect(resolveConfig({ env: { GATEHOUSE_API_KEYS: KEYS, GATEHOUSE_ADMINS: '[]' } }).admins).toEqual([]);
  });

  it('disables auth for development with a loud warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const config = resolveConfig({ env: { GATEHOUSE_DISABLE_AUTH: '1' } });
    expect(config.disableAuth).toBe(true);
    expect(createGatehouse({ env: { GATEHOUSE_DISABLE_AUTH: '1' } }).provider).toBeInstanceOf(
      DevelopmentAuthProvider,
    );
    expect(warn.mock.calls[0]?.[0]).toMatch(/AUTHENTICATION IS DISABLED/);
  });

  it('refuses disabled auth when NODE_ENV=production, in the environment and programmatically', () => {
    const err = configError(() =>
      resolveConfig({ env: { GATEHOUSE_DISABLE_AUTH: '1', NODE_ENV: 'production' } }),
    );
    expect(err.variable).toBe('GATEHOUSE_DISABLE_AUTH');
    expect(err.message).toMatch(/production/);
    const programmatic = configError(() =>
      resolveConfig({ disableAuth: true, environment: 'production', env: false }),
    );
    expect(programmatic.field).toBe('disableAuth');
    expect(
      configError(() => resolveConfig({ disableAuth: true, env: { NODE_ENV: 'production' } })).field,
    ).toBe('disableAuth');
  });
});

describe('resolveConfig from programmatic options', () => {
  it('names camelCase fields in its errors', () => {
    expect(
      configError(() =>
        resolveConfig({ oidc: { issuers: [{ issuer: 'https://a.example', audience: '' }] }, env: false }),
      ).field,
    ).toBe('oidc.issuers[0].audience');
    expect(configError(() => resolveConfig({ apiKeys: [{ name: '', key: 'k' }], env: false })).field).toBe(
      'apiKeys[0].name',
    );
    expect(configError(() => resolveConfig({ env: false })).code).toBe('missing_config');
  });

  it('builds the single provider itself when only one kind is configured', () => {
    expect(createGatehouse({ apiKeys: [{ name: 'a', key: 'k1' }], env: false }).provider).toBeInstanceOf(
      ApiKeyAuthProvider,
    );
  });

  it('validates OidcAuthProvider options directly too', () => {
    expect(() => new OidcAuthProvider({ issuers: [] })).toThrow(/"issuers" must not be empty/);
    expect(
      () =>
        new OidcAuthProvider({
          issuers: [{ issuer: 'https://a.example', audience: 'a' }],
          tokenCacheSize: 1.5,
        }),
    ).toThrow(/"tokenCacheSize" must be an integer/);
  });
});
