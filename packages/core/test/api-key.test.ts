import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ApiKeyAuthProvider } from '../src/index.js';

describe('ApiKeyAuthProvider', () => {
  const provider = new ApiKeyAuthProvider({
    keys: [
      { name: 'service1', key: 'secret-key-123' },
      { name: 'service1', key: 'secret-key-123-rotated' },
      { name: 'ops', key: 'ops-key-456', scopes: ['telemetry:write'] },
    ],
    admins: ['ops'],
  });

  it('maps a key to its name, issuer api_key', async () => {
    expect(await provider.validateToken('secret-key-123')).toMatchObject({
      subject: 'service1',
      issuer: 'api_key',
      authType: 'api_key',
      isAdmin: false,
      scopes: [],
    });
  });

  it('accepts several keys under one name (rotation)', async () => {
    expect((await provider.validateToken('secret-key-123-rotated')).subject).toBe('service1');
  });

  it('grants admin by key name and carries configured scopes', async () => {
    expect(await provider.validateToken('ops-key-456')).toMatchObject({
      isAdmin: true,
      scopes: ['telemetry:write'],
    });
  });

  it('refuses unknown keys and near misses with a non-final error', async () => {
    for (const guess of ['secret-key-12', 'secret-key-1234', 'SECRET-KEY-123', 'x']) {
      await expect(provider.validateToken(guess), guess).rejects.toMatchObject({
        code: 'unknown_api_key',
        final: false,
      });
    }
  });

  it('holds digests only, never the keys themselves', () => {
    const dump = inspect(provider, { depth: 10, showHidden: true });
    expect(dump).not.toContain('secret-key-123');
    expect(dump).not.toContain('ops-key-456');
  });

  it('declines dotted tokens without hashing when no key contains a dot', () => {
    expect(provider.accepts('a.b.c')).toBe(false);
    expect(provider.accepts('plain-key')).toBe(true);
    const dotted = new ApiKeyAuthProvider({ keys: [{ name: 'd', key: 'v1.abc' }] });
    expect(dotted.accepts('a.b.c')).toBe(true);
  });

  it('refuses a key configured twice', () => {
    expect(
      () =>
        new ApiKeyAuthProvider({
          keys: [
            { name: 'a', key: 'same-key' },
            { name: 'b', key: 'same-key' },
          ],
        }),
    ).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'keys[1].key' }));
  });

  it('refuses a key that could not be sent as a bearer credential, without quoting it', () => {
    const build = () => new ApiKeyAuthProvider({ keys: [{ name: 'odd', key: 'has space' }] });
    expect(build).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'keys[0].key' }));
    expect(build).toThrow(/must use only letters/);
    expect(build).not.toThrow(/has space/);
  });
});
