import { describe, expect, it } from 'vitest';
import { createAuthContext } from '../src/index.js';

describe('createAuthContext', () => {
  it('copies what the caller keeps, and freezes the context and its claims deeply', () => {
    const scopes = ['read'];
    const expiresAt = new Date(Date.UTC(2030, 0, 1));
    const claims = { sub: 'u', roles: ['a', { nested: true }], org: { id: 1 } };
    const auth = createAuthContext({
      subject: 'u',
      issuer: 'i',
      authType: 'oidc',
      scopes,
      expiresAt,
      claims,
    });
    scopes.push('write');
    expiresAt.setTime(0);
    expect(auth.scopes).toEqual(['read']);
    expect(auth.expiresAt?.getTime()).toBe(Date.UTC(2030, 0, 1));
    expect(Object.isFrozen(auth)).toBe(true);
    expect(Object.isFrozen(auth.scopes)).toBe(true);
    expect(Object.isFrozen(auth.claims.roles)).toBe(true);
    expect(Object.isFrozen((auth.claims.roles as unknown[])[1])).toBe(true);
    expect(Object.isFrozen(auth.claims.org)).toBe(true);
    expect(() => {
      (auth.claims.org as { id: number }).id = 2;
    }).toThrow(TypeError);
  });

  it('gives every scope-less context the same frozen empty list', () => {
    const a = createAuthContext({ subject: 'a', issuer: 'i', authType: 'api_key' });
    const b = createAuthContext({ subject: 'b', issuer: 'i', authType: 'api_key', scopes: [] });
    expect(a.scopes).toEqual([]);
    expect(b.scopes).toBe(a.scopes);
    expect(Object.isFrozen(a.scopes)).toBe(true);
  });
});
