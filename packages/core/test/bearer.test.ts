import { describe, expect, it } from 'vitest';
import { authorizationHeader, DEFAULT_MAX_TOKEN_LENGTH, extractBearer } from '../src/index.js';

describe('extractBearer', () => {
  it('returns the token of a Bearer header, the scheme in any case', () => {
    expect(extractBearer('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(extractBearer('bearer abc')).toBe('abc');
    expect(extractBearer('BEARER abc')).toBe('abc');
    expect(extractBearer('Bearer   spaced-out~+/==')).toBe('spaced-out~+/==');
  });

  it('reports missing credentials (no error code) for no header or another scheme', () => {
    expect(() => extractBearer(undefined)).toThrow(expect.objectContaining({ code: 'missing_credentials' }));
    expect(() => extractBearer('')).toThrow(expect.objectContaining({ code: 'missing_credentials' }));
    const basic = (() => {
      try {
        extractBearer('Basic dXNlcjpwYXNz');
      } catch (err) {
        return err;
      }
    })();
    expect(basic).toMatchObject({
      code: 'missing_credentials',
      scheme: 'Basic',
      status: 401,
      bearerError: undefined,
    });
    expect(String((basic as Error).message)).not.toContain('dXNlcjpwYXNz');
    expect(() => extractBearer('Bearerabc')).toThrow(
      expect.objectContaining({ code: 'missing_credentials' }),
    );
  });

  it('refuses two Authorization headers', () => {
    expect(() => extractBearer(['Bearer a', 'Bearer b'])).toThrow(
      expect.objectContaining({ code: 'invalid_request', reason: 'duplicate_header', status: 400 }),
    );
    expect(extractBearer(['Bearer only'])).toBe('only');
  });

  it('refuses empty and malformed tokens', () => {
    expect(() => extractBearer('Bearer')).toThrow(expect.objectContaining({ reason: 'empty_token' }));
    expect(() => extractBearer('Bearer ')).toThrow(expect.objectContaining({ reason: 'empty_token' }));
    for (const bad of [
      'Bearer a b',
      'Bearer a,b',
      'Bearer "quoted"',
      'Bearer =abc',
      'Bearer a=b',
      'Bearer é',
    ]) {
      expect(() => extractBearer(bad), bad).toThrow(
        expect.objectContaining({ code: 'invalid_request', reason: 'malformed' }),
      );
    }
  });

  it('refuses an oversized header before looking at it', () => {
    const long = `Bearer ${'a'.repeat(DEFAULT_MAX_TOKEN_LENGTH + 1)}`;
    expect(() => extractBearer(long)).toThrow(expect.objectContaining({ reason: 'too_long' }));
    expect(() => extractBearer(`Bearer ${'a'.repeat(100)}`, 50)).toThrow(
      expect.objectContaining({ reason: 'too_long' }),
    );
    expect(extractBearer(`Bearer ${'a'.repeat(DEFAULT_MAX_TOKEN_LENGTH)}`)).toHaveLength(
      DEFAULT_MAX_TOKEN_LENGTH,
    );
    // A huge header of any scheme is refused as too long, not parsed.
    expect(() => extractBearer(`Basic ${'a'.repeat(100_000)}`)).toThrow(
      expect.objectContaining({ reason: 'too_long' }),
    );
  });
});

describe('authorizationHeader', () => {
  it('finds the header whatever its case', () => {
    expect(authorizationHeader(['Host', 'x', 'AUTHORIZATION', 'Bearer t'])).toBe('Bearer t');
    expect(authorizationHeader(['host', 'x'])).toBeUndefined();
  });

  it('returns every value of a duplicated header, which Node would otherwise drop', () => {
    expect(
      authorizationHeader(['authorization', 'Bearer a', 'Accept', '*/*', 'Authorization', 'Bearer b']),
    ).toEqual(['Bearer a', 'Bearer b']);
    expect(() =>
      extractBearer(authorizationHeader(['authorization', 'Bearer a', 'authorization', 'Bearer a'])),
    ).toThrow(expect.objectContaining({ reason: 'duplicate_header' }));
  });
});
