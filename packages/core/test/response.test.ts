import { describe, expect, it } from 'vitest';
import {
  authErrorResponse,
  bearerChallenge,
  ForbiddenError,
  InsufficientScopeError,
  InvalidRequestError,
  IssuerUnavailableError,
  MissingCredentialsError,
  TokenExpiredError,
  UnknownApiKeyError,
} from '../src/index.js';

describe('authErrorResponse', () => {
  it('answers missing credentials with a bare challenge (RFC 6750 §3.1)', () => {
    const res = authErrorResponse(new MissingCredentialsError(), { realm: 'telemetry' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="telemetry"');
    expect(res.body.error).toBe('missing_credentials');
  });

  it('answers a rejected token with invalid_token and a description', () => {
    const res = authErrorResponse(new TokenExpiredError('https://idp', 1));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="gatehouse", error="invalid_token", error_description="token expired"',
    );
    expect(res.body).toEqual({ error: 'invalid_token', error_description: 'token expired' });
    expect(authErrorResponse(new UnknownApiKeyError()).headers['www-authenticate']).toContain(
      'error="invalid_token"',
    );
  });

  it('answers a malformed request with 400 invalid_request', () => {
    const res = authErrorResponse(new InvalidRequestError('duplicate_header'));
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toContain('error="invalid_request"');
  });

  it('answers a missing scope with 403 insufficient_scope naming the scope', () => {
    const res = authErrorResponse(new InsufficientScopeError(['telemetry:write', 'x'], ['x']));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(res.headers['www-authenticate']).toContain('scope="telemetry:write x"');
  });

  it('answers a non-admin with a plain 403', () => {
    const res = authErrorResponse(new ForbiddenError('admin'));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body.error).toBe('forbidden');
  });

  it('answers an unreachable issuer with 503 and Retry-After', () => {
    const res = authErrorResponse(new IssuerUnavailableError('https://idp', 2.2));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('never lets a response be cached', () => {
    expect(authErrorResponse(new MissingCredentialsError()).headers['cache-control']).toBe('no-store');
  });
});

describe('bearerChallenge', () => {
  it('escapes quotes and backslashes and drops control characters', () => {
    expect(bearerChallenge({ realm: 'a"b\\c\r\nd', error: 'invalid_token' })).toBe(
      'Bearer realm="a\\"b\\\\cd", error="invalid_token"',
    );
  });
});
