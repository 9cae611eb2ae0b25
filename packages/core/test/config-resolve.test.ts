import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_FIELDS,
  ConfigError,
  createGatehouse,
  ENV,
  type GatehouseConfig,
  requestView,
  resolveConfig,
} from '../src/index.js';
import { MemoryState } from '../src/state/index.js';

const KEY = 'svc-key-0123456789';
const KEYS_JSON = JSON.stringify([{ name: 'svc', key: KEY }]);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

// One row per documented variable: a value for the environment, the same setting as an option, and what it
// resolves to. Every variable takes effect on both paths.
const FIELDS: [keyof typeof CONFIG_FIELDS, string, GatehouseConfig, unknown][] = [
  ['apiKeys', KEYS_JSON, { apiKeys: [{ name: 'svc', key: KEY }] }, [{ name: 'svc', key: KEY }]],
  [
    'oidc',
    '{"issuers":[{"issuer":"https://idp.example.com","audience":"api"}],"token_cache_size":5}',
    { oidc: { issuers: [{ issuer: 'https://idp.example.com', audience: 'api' }], tokenCacheSize: 5 } },
    expect.objectContaining({ issuers: [expect.objectContaining({ audience: 'api' })], tokenCacheSize: 5 }),
  ],
  ['admins', '["alice@example.com"]', { admins: ['alice@example.com'] }, ['alice@example.com']],
  ['disableAuth', '1', { disableAuth: true }, true],
  ['environment', 'staging', { environment: 'staging' }, 'staging'],
  [
    'publicUrl',
    'https://API.example.com/gw/',
    { publicUrl: 'https://API.example.com/gw/' },
    'https://api.example.com/gw',
  ],
  [
    'resource',
    '{"resource":"https://api.example.com/mcp","scopes_supported":["api:read"],"resource_name":"API"}',
    {
      resource: {
        resource: 'https://api.example.com/mcp',
        scopesSupported: ['api:read'],
        resourceName: 'API',
      },
    },
    { resource: 'https://api.example.com/mcp', scopesSupported: ['api:read'], resourceName: 'API' },
  ],
  ['clientCertificateHeader', 'X-Client-Cert', { clientCertificateHeader: 'X-Client-Cert' }, 'x-client-cert'],
  [
    'redisUrl',
    'redis://127.0.0.1:6390/2',
    { redisUrl: 'redis://127.0.0.1:6390/2' },
    'redis://127.0.0.1:6390/2',
  ],
  [
    'redis',
    '{"key_prefix":"billing:","replica_acks":0,"replica_wait_ms":800}',
    { redis: { keyPrefix: 'billing:', replicaAcks: 0, replicaWaitMs: 800 } },
    { keyPrefix: 'billing:', replicaAcks: 0, replicaWaitMs: 800 },
  ],
  [
    'rateLimit',
    '{"requests":5,"window_secs":60}',
    { rateLimit: { requests: 5, windowSecs: 60 } },
    { requests: 5, windowSecs: 60 },
  ],
  [
    'failedAuthLimit',
    '{"attempts":3,"window_secs":30}',
    { failedAuthLimit: { attempts: 3, windowSecs: 30 } },
    { attempts: 3, windowSecs: 30 },
  ],
  ['trustProxy', '1', { trustProxy: true }, true],
  [
    'authz',
    '{"backend":"authzen","url":"https://pdp.example.com","timeout_ms":250,"cache":{"ttl_secs":5}}',
    {
      authz: { backend: 'authzen', url: 'https://pdp.example.com', timeoutMs: 250, cache: { ttlSecs: 5 } },
    },
    { backend: 'authzen', url: 'https://pdp.example.com', timeoutMs: 250, cache: { ttlSecs: 5 } },
  ],
];

describe('resolveConfig: options field by field, then the environment', () => {
  it('has a row here for every field of the table', () => {
    expect(FIELDS.map(([field]) => field).sort()).toEqual(Object.keys(CONFIG_FIELDS).sort());
  });

  it("documents every field with its variable in the README's table, and nothing else", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| `(\w+)` \|/gm)].map(([, variable, field]) => [
      field,
      variable,
    ]);
    const table = Object.entries(CONFIG_FIELDS).map(([field, spec]) => [field, spec.variable]);
    expect(rows.sort()).toEqual(table.sort());
  });

  it.each(FIELDS)(
    '%s takes effect from its variable and from the option',
    (field, text, option, expected) => {
      const base = field === 'apiKeys' || field === 'disableAuth' ? {} : { [ENV.apiKeys]: KEYS_JSON };
      // The Redis settings need a Redis URL beside them.
      const url = field === 'redis' ? { [ENV.redisUrl]: 'redis://127.0.0.1:6390' } : {};
      const fromEnv = resolveConfig({ env: { ...base, ...url, [CONFIG_FIELDS[field].variable]: text } });
      expect(fromEnv[field]).toEqual(expected);
      expect(fromEnv.sources[field]).toBe(CONFIG_FIELDS[field].variable);
      const credentials =
        field === 'apiKeys' || field === 'disableAuth' ? {} : { apiKeys: [{ name: 'svc', key: KEY }] };
      const fromOptions = resolveConfig({
        ...credentials,
        ...(field === 'redis' ? { redisUrl: 'redis://127.0.0.1:6390' } : {}),
        ...option,
        env: false,
      });
      expect(fromOptions[field]).toEqual(expected);
      expect(fromOptions.sources[field]).toBe('options');
    },
  );

  it('lets the option win over the variable, field by field, and fills the rest from the environment', () => {
    const config = resolveConfig({
      rateLimit: { requests: 7, windowSecs: 10 },
      env: {
        [ENV.apiKeys]: KEYS_JSON,
        [ENV.rateLimit]: '{"requests":1,"window_secs":1}',
        [ENV.trustProxy]: '1',
      },
    });
    expect(config.rateLimit).toEqual({ requests: 7, windowSecs: 10 });
    expect(config.trustProxy).toBe(true);
    expect(config.apiKeys).toEqual([{ name: 'svc', key: KEY }]);
    expect(config.sources).toMatchObject({
      rateLimit: 'options',
      trustProxy: ENV.trustProxy,
      apiKeys: ENV.apiKeys,
    });
  });

  it('reads no variable with env: false, and a record of its own with env: {…}', () => {
    expect(configError(() => resolveConfig({ env: false })).code).toBe('missing_config');
    expect(resolveConfig({ env: { [ENV.apiKeys]: KEYS_JSON } }).apiKeys).toHaveLength(1);
  });

  it("reads a Worker's env bindings: text, JSON vars already parsed, boolean flags; never its other bindings", () => {
    interface WorkerEnv {
      readonly GATEHOUSE_API_KEYS: readonly { name: string; key: string }[];
      readonly GATEHOUSE_ADMINS: string;
      readonly GATEHOUSE_TRUST_PROXY: boolean;
      readonly SESSIONS: { get(key: string): Promise<string | null> };
    }
    const bindings: WorkerEnv = {
      GATEHOUSE_API_KEYS: [{ name: 'svc', key: KEY }],
      GATEHOUSE_ADMINS: '["svc"]',
      GATEHOUSE_TRUST_PROXY: true,
      SESSIONS: { get: () => Promise.resolve(null) },
    };
    const config = resolveConfig({ env: bindings });
    expect(config.apiKeys?.[0]?.name).toBe('svc');
    expect(config.admins).toEqual(['svc']);
    expect(config.trustProxy).toBe(true);
    // A binding that is not text where text is read names the variable, and never shows the value.
    const error = configError(() =>
      resolveConfig({ env: { ...bindings, [ENV.publicUrl]: { secret: 'do-not-show' } } }),
    );
    expect(error.variable).toBe(ENV.publicUrl);
    expect(error.message).toMatch(/must be text, not an object/);
    expect(error.message).not.toContain('do-not-show');
  });

  it.each(FIELDS.filter(([field]) => field !== 'environment'))(
    '%s: a malformed value names the variable, or the option field',
    (field) => {
      const bad = field === 'disableAuth' || field === 'trustProxy' ? 'yes' : '{"nope": true}';
      const base = field === 'apiKeys' ? {} : { [ENV.apiKeys]: KEYS_JSON };
      const envError = configError(() =>
        resolveConfig({ env: { ...base, [CONFIG_FIELDS[field].variable]: bad } }),
      );
      expect(envError.variable).toBe(CONFIG_FIELDS[field].variable);
      const optionError = configError(() =>
        resolveConfig({ apiKeys: [{ name: 'svc', key: KEY }], [field]: 42, env: false } as GatehouseConfig),
      );
      expect(optionError.variable).toBeUndefined();
      expect(optionError.field ?? '').toMatch(new RegExp(`^${field}`));
    },
  );

  it('refuses credentials configured beside a given provider, naming the variable or the field', () => {
    const provider = { validateToken: () => Promise.reject(new Error('unused')) };
    expect(configError(() => resolveConfig({ provider, env: { [ENV.apiKeys]: KEYS_JSON } })).variable).toBe(
      ENV.apiKeys,
    );
    expect(configError(() => resolveConfig({ provider, admins: ['a'], env: false })).field).toBe('admins');
    expect(
      resolveConfig({ provider, env: { [ENV.rateLimit]: '{"requests":1,"window_secs":1}' } }).rateLimit,
    ).toEqual({
      requests: 1,
      windowSecs: 1,
    });
  });

  it('takes the default public URL from HOST and PORT only while reading the environment', () => {
    expect(resolveConfig({ env: { [ENV.apiKeys]: KEYS_JSON, PORT: '8080' } }).publicUrl).toBe(
      'http://127.0.0.1:8080',
    );
    expect(resolveConfig({ apiKeys: [{ name: 'svc', key: KEY }], env: false }).publicUrl).toBeUndefined();
  });

  it('resolves routes: true to every default path, and moves or turns off each', () => {
    const keys = { apiKeys: [{ name: 'svc', key: KEY }], env: false as const };
    expect(resolveConfig({ ...keys, routes: true }).routes).toEqual({
      ready: '/ready',
      metrics: '/metrics',
      revocations: '/v1/admin/revocations',
      backchannelLogout: '/v1/backchannel-logout',
    });
    expect(
      resolveConfig({
        ...keys,
        routes: { prefix: '/ops/', metrics: '/internal/metrics', revocations: false },
      }).routes,
    ).toEqual({
      ready: '/ops/ready',
      metrics: '/ops/internal/metrics',
      revocations: undefined,
      backchannelLogout: '/ops/v1/backchannel-logout',
    });
    expect(resolveConfig({ ...keys }).routes).toBeUndefined();
    expect(resolveConfig({ ...keys, routes: false }).routes).toBeUndefined();
    expect(configError(() => resolveConfig({ ...keys, routes: { metrics: 'metrics' } })).field).toBe(
      'routes.metrics',
    );
    expect(configError(() => resolveConfig({ ...keys, routes: { ready: '/x', metrics: '/x' } })).field).toBe(
      'routes',
    );
    expect(configError(() => resolveConfig({ ...keys, routes: { health: true } as never })).field).toBe(
      'routes.health',
    );
  });
});

describe('the resource (RFC 8707, RFC 9728)', () => {
  const ISSUER = 'https://idp.example.com';
  const RESOURCE = 'https://api.example.com/mcp';

  it('is the audience of issuers configured without one, on both paths; explicit audiences stay', () => {
    const fromEnv = resolveConfig({
      env: {
        [ENV.resource]: RESOURCE,
        [ENV.oidc]: JSON.stringify({ issuers: [{ issuer: ISSUER }, { issuer: ISSUER, audience: 'other' }] }),
      },
    });
    expect(fromEnv.oidc?.issuers.map((entry) => entry.audience)).toEqual([RESOURCE, 'other']);
    const fromOptions = resolveConfig({
      resource: { resource: RESOURCE },
      oidc: { issuers: [{ issuer: ISSUER }] },
      env: false,
    });
    expect(fromOptions.oidc?.issuers[0]?.audience).toBe(RESOURCE);
    // The resource from the environment, the issuers from options: still one configuration.
    const mixed = resolveConfig({
      oidc: { issuers: [{ issuer: ISSUER }] },
      env: { [ENV.resource]: RESOURCE },
    });
    expect(mixed.oidc?.issuers[0]?.audience).toBe(RESOURCE);
  });

  it('without a resource, an issuer without audience is refused, naming the field and the way out', () => {
    const envError = configError(() =>
      resolveConfig({ env: { [ENV.oidc]: JSON.stringify({ issuers: [{ issuer: ISSUER }] }) } }),
    );
    expect(envError.variable).toBe(ENV.oidc);
    expect(envError.field).toBe('issuers[0].audience');
    expect(envError.message).toMatch(/is required, unless a resource is configured/);
    const optionError = configError(() =>
      resolveConfig({ oidc: { issuers: [{ issuer: ISSUER }] }, env: false }),
    );
    expect(optionError.field).toBe('oidc.issuers[0].audience');
  });

  it('adds the metadata routes at the RFC 9728 paths (prefix aside), or not when turned off', () => {
    const keys = { apiKeys: [{ name: 'svc', key: KEY }], env: false as const };
    expect(resolveConfig({ ...keys, resource: RESOURCE, routes: { prefix: '/ops' } }).routes).toMatchObject({
      ready: '/ops/ready',
      resourceMetadata: [
        '/.well-known/oauth-protected-resource/mcp',
        '/.well-known/oauth-protected-resource',
      ],
    });
    expect(
      resolveConfig({ ...keys, resource: 'https://api.example.com', routes: true }).routes?.resourceMetadata,
    ).toEqual(['/.well-known/oauth-protected-resource']);
    expect(
      resolveConfig({ ...keys, resource: RESOURCE, routes: { resourceMetadata: false } }).routes
        ?.resourceMetadata,
    ).toBeUndefined();
    expect(resolveConfig({ ...keys, routes: true }).routes?.resourceMetadata).toBeUndefined();
    const asked = configError(() => resolveConfig({ ...keys, routes: { resourceMetadata: true } }));
    expect(asked.field).toBe('routes.resourceMetadata');
    expect(asked.message).toMatch(/needs a resource: set GATEHOUSE_RESOURCE/);
    expect(
      configError(() =>
        resolveConfig({ ...keys, resource: RESOURCE, routes: { resourceMetadata: '/meta' as never } }),
      ).field,
    ).toBe('routes.resourceMetadata');
  });
});

describe('the environment takes effect in the pipeline, not only in the resolved object', () => {
  const env = (vars: Record<string, string>) => ({ [ENV.apiKeys]: KEYS_JSON, ...vars });
  const view = (authorization: string, forwardedFor?: string) =>
    requestView({
      authorization,
      remoteAddress: '10.0.0.1',
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    });
  const status = async (gate: ReturnType<typeof createGatehouse>, v: ReturnType<typeof view>) => {
    const decision = await gate.handle(v, gate.route());
    return decision.admitted ? 200 : decision.status;
  };

  it('GATEHOUSE_RATE_LIMIT limits each identity', async () => {
    const gate = createGatehouse({ env: env({ [ENV.rateLimit]: '{"requests":2,"window_secs":60}' }) });
    expect([await status(gate, view(`Bearer ${KEY}`)), await status(gate, view(`Bearer ${KEY}`))]).toEqual([
      200, 200,
    ]);
    expect(await status(gate, view(`Bearer ${KEY}`))).toBe(429);
  });

  it('GATEHOUSE_FAILED_AUTH_LIMIT blocks an address after its failures, even with good credentials', async () => {
    const gate = createGatehouse({ env: env({ [ENV.failedAuthLimit]: '{"attempts":2,"window_secs":60}' }) });
    expect(await status(gate, view('Bearer wrong-key-000001'))).toBe(401);
    expect(await status(gate, view('Bearer wrong-key-000002'))).toBe(401);
    expect(await status(gate, view(`Bearer ${KEY}`))).toBe(429);
  });

  it('GATEHOUSE_TRUST_PROXY makes the last X-Forwarded-For hop the client address', async () => {
    const limit = { [ENV.failedAuthLimit]: '{"attempts":1,"window_secs":60}' };
    const trusting = createGatehouse({ env: env({ ...limit, [ENV.trustProxy]: '1' }) });
    expect(await status(trusting, view('Bearer wrong-key-000001', '203.0.113.1'))).toBe(401);
    expect(await status(trusting, view(`Bearer ${KEY}`, '203.0.113.1'))).toBe(429);
    expect(await status(trusting, view(`Bearer ${KEY}`, '203.0.113.2'))).toBe(200);
    const plain = createGatehouse({ env: env(limit) });
    expect(await status(plain, view('Bearer wrong-key-000001', '203.0.113.1'))).toBe(401);
    expect(await status(plain, view(`Bearer ${KEY}`, '203.0.113.2'))).toBe(429);
  });

  it('GATEHOUSE_ADMINS and GATEHOUSE_DISABLE_AUTH reach the identities', async () => {
    const admins = createGatehouse({ env: env({ [ENV.admins]: '["svc"]' }) });
    expect(await admins.handle(view(`Bearer ${KEY}`), admins.route({ admin: true }))).toMatchObject({
      admitted: true,
    });
    const open = createGatehouse({ env: { [ENV.disableAuth]: '1' } });
    expect(await open.handle(view(''), open.route())).toMatchObject({
      admitted: true,
      auth: { authType: 'anonymous' },
    });
  });

  it('GATEHOUSE_AUTHZ gives routes their decision backend', async () => {
    const rules = [{ action: 'read', resource: 'record', allow: { owner: true } }];
    const gate = createGatehouse({ env: env({ [ENV.authz]: JSON.stringify({ backend: 'rules', rules }) }) });
    const route = gate.route<string>({
      authorize: {
        action: 'read',
        resource: (owner) => ({ type: 'record', owner: { subject: owner, issuer: 'api_key' } }),
      },
    });
    const decide = async (owner: string) => {
      const decision = await gate.handle(view(`Bearer ${KEY}`), route, undefined, owner);
      return decision.admitted ? 200 : `${decision.status} ${decision.error.code}`;
    };
    expect(await decide('svc')).toBe(200);
    expect(await decide('someone-else')).toBe('403 access_denied');
    // Without the variable, a route that asks for a decision stops start-up.
    const none = createGatehouse({ env: env({}) });
    expect(
      configError(() => none.route({ authorize: { action: 'read', resource: { type: 'record' } } })).message,
    ).toBe(
      '"authz" is not configured, but a route asks for a decision (authorize "read"): give the authz option or set GATEHOUSE_AUTHZ',
    );
  });

  it('GATEHOUSE_AUTHZ takes a PDP URL or policy files as well as JSON, and names its own spelling in errors', () => {
    const authz = (text: string) => resolveConfig({ env: env({ [ENV.authz]: text }) }).authz;
    expect(authz('https://pdp.example.com')).toEqual({ backend: 'authzen', url: 'https://pdp.example.com' });
    expect(authz('a.cedar, policies/b.cedar')).toEqual({
      backend: 'cedar',
      policies: ['a.cedar', 'policies/b.cedar'],
    });
    const error = (text: string) => configError(() => authz(text)).message;
    expect(error('policies.txt')).toBe(
      'GATEHOUSE_AUTHZ: must be JSON, an AuthZEN PDP URL, or .cedar policy files (comma-separated)',
    );
    expect(error('{"backend": "rules", "rules": [}')).toBe('GATEHOUSE_AUTHZ: is not valid JSON');
    expect(error('http://pdp.example.com')).toBe(
      'GATEHOUSE_AUTHZ: "url" must be an https:// URL (http:// is allowed only on a loopback host)',
    );
    expect(error('{"backend":"authzen","url":"https://pdp.example.com","timeoutMs":5}')).toBe(
      'GATEHOUSE_AUTHZ: "timeoutMs" is not a known field',
    );
    expect(error('{"backend":"authzen","url":"https://pdp.example.com","timeout_ms":0}')).toBe(
      'GATEHOUSE_AUTHZ: "timeout_ms" must be between 1 and 60000',
    );
    expect(
      error('{"backend":"rules","rules":[{"action":"read","allow":{"any":[{"admin":true},{"owns":true}]}}]}'),
    ).toBe(
      'GATEHOUSE_AUTHZ: "rules[0].allow.any[1]" must have one of role, scope, admin, owner, claim, any, all, not',
    );
    expect(error('{"backend":"custom"}')).toBe('GATEHOUSE_AUTHZ: "backend" custom is given in code only');
    const option = configError(() =>
      resolveConfig({
        apiKeys: [{ name: 'svc', key: KEY }],
        authz: { backend: 'cedar', policies: [] },
        env: false,
      }),
    );
    expect(option.message).toBe('"authz.policies" must not be empty');
  });

  it('GATEHOUSE_RESOURCE puts resource_metadata on every 401 and serves the metadata', async () => {
    const gate = createGatehouse({
      routes: true,
      env: env({ [ENV.resource]: 'https://api.example.com/mcp', [ENV.publicUrl]: 'https://api.example.com' }),
    });
    const refused = await gate.handle(view(''), gate.route());
    expect(refused).toMatchObject({ admitted: false, status: 401 });
    expect(refused.admitted || refused.headers['www-authenticate']).toBe(
      'Bearer realm="gatehouse", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"',
    );
    const match = gate.routes?.match('GET', '/.well-known/oauth-protected-resource/mcp');
    expect(match).toBeDefined();
    const answer = await gate.routes!.serve(match!, view(''), () => Promise.resolve({ text: '' }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body ?? '')).toMatchObject({ resource: 'https://api.example.com/mcp' });
  });

  it('a state given in code wins over GATEHOUSE_REDIS_URL', () => {
    const state = new MemoryState();
    const gate = createGatehouse({ state, env: env({ [ENV.redisUrl]: 'redis://127.0.0.1:1' }) });
    expect(gate.state).toBe(state);
  });
});

describe('GATEHOUSE_REDIS_CONFIG: what GATEHOUSE_REDIS_URL cannot carry', () => {
  const SENTINEL = 'redis+sentinel://gatehouse:data-pass@127.0.0.1:26379,127.0.0.1:26380/mymaster';
  const env = (vars: Record<string, string>) => ({ [ENV.apiKeys]: KEYS_JSON, ...vars });

  it('carries the sentinels own credentials with a redis+sentinel:// URL', () => {
    const config = resolveConfig({
      env: env({
        [ENV.redisUrl]: SENTINEL,
        [ENV.redis]: '{"sentinel_username":"watcher","sentinel_password":"s3cret-sentinel"}',
      }),
    });
    expect(config.redis).toEqual({ sentinelUsername: 'watcher', sentinelPassword: 's3cret-sentinel' });
    const fromOptions = resolveConfig({ redisUrl: SENTINEL, redis: { sentinelPassword: 'p' }, env: env({}) });
    expect(fromOptions.redis).toEqual({ sentinelPassword: 'p' });
  });

  it('refuses sentinel credentials with another topology, naming the field and never the password', () => {
    const err = configError(() =>
      resolveConfig({
        env: env({
          [ENV.redisUrl]: 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001',
          [ENV.redis]: '{"sentinel_password":"s3cret-sentinel"}',
        }),
      }),
    );
    expect(err).toMatchObject({ variable: ENV.redis, field: 'sentinel_password' });
    expect(err.message).toContain('redis+sentinel://');
    expect(err.message).not.toContain('s3cret');
    const optionError = configError(() =>
      resolveConfig({ redisUrl: 'redis://127.0.0.1:6379', redis: { sentinelUsername: 'u' }, env: env({}) }),
    );
    expect(optionError.field).toBe('redis.sentinelUsername');
    expect(optionError.message).toContain('one server');
  });

  it('refuses the settings without a Redis URL: they would be silently ignored', () => {
    const err = configError(() => resolveConfig({ env: env({ [ENV.redis]: '{"key_prefix":"a:"}' }) }));
    expect(err.variable).toBe(ENV.redis);
    expect(err.message).toContain(ENV.redisUrl);
    expect(configError(() => resolveConfig({ redis: { replicaAcks: 1 }, env: env({}) })).field).toBe('redis');
  });

  it.each([
    ['{"replica_acks":-1}', 'replica_acks'],
    ['{"replica_acks":1.5}', 'replica_acks'],
    ['{"replica_wait_ms":0}', 'replica_wait_ms'],
    ['{"key_prefix":"two words"}', 'key_prefix'],
    ['{"sentinel_password":""}', 'sentinel_password'],
    ['{"keyPrefix":"a:"}', 'keyPrefix'],
  ])('refuses %s, naming %s', (text, field) => {
    const err = configError(() =>
      resolveConfig({ env: env({ [ENV.redisUrl]: SENTINEL, [ENV.redis]: text }) }),
    );
    expect(err).toMatchObject({ variable: ENV.redis, field });
  });
});
