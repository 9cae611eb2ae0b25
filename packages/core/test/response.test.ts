import { describe, expect, it } from 'vitest';
import {
  authErrorResponse,
  bearerChallenge,
  ForbiddenError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  InvalidDpopProofError,
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

describe('authErrorResponse: resource metadata, route scopes and step-up (RFC 9728, 6750, 9470)', () => {
  const META = 'https://api.example.com/.well-known/oauth-protected-resource/mcp';
  const dpop = { algs: ['ES256'] };

  it('puts resource_metadata on every challenge, Bearer and DPoP', () => {
    const none = authErrorResponse(new MissingCredentialsError(), { resourceMetadata: META, dpop });
    expect(none.headers['www-authenticate']).toBe(
      `Bearer realm="gatehouse", resource_metadata="${META}", DPoP algs="ES256", resource_metadata="${META}"`,
    );
    const scope = authErrorResponse(new InsufficientScopeError(['a', 'b'], ['b']), {
      resourceMetadata: META,
    });
    expect(scope.headers['www-authenticate']).toContain(`resource_metadata="${META}"`);
  });

  it("names the refusing route's scopes on a 401, never on other refusals", () => {
    const none = authErrorResponse(new MissingCredentialsError(), { scopes: ['api:read', 'api:write'] });
    expect(none.headers['www-authenticate']).toBe('Bearer realm="gatehouse", scope="api:read api:write"');
    const expired = authErrorResponse(new TokenExpiredError('https://idp', 1), { scopes: ['api:read'] });
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(expired.headers['www-authenticate']).toContain('scope="api:read"');
    expect(authErrorResponse(new MissingCredentialsError(), { scopes: [] }).headers['www-authenticate']).toBe(
      'Bearer realm="gatehouse"',
    );
  });

  it('answers a step-up with 401 insufficient_user_authentication, acr_values, max_age and the scopes', () => {
    const error = new InsufficientUserAuthenticationError({
      reason: 'acr',
      acrValues: ['urn:example:mfa', 'urn:example:hwk'],
      maxAge: 300,
      scopes: ['api:admin'],
    });
    const res = authErrorResponse(error, { realm: 'mcp', resourceMetadata: META });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="mcp", error="insufficient_user_authentication", error_description="a stronger authentication is required", ' +
        `scope="api:admin", acr_values="urn:example:mfa urn:example:hwk", max_age="300", resource_metadata="${META}"`,
    );
    expect(res.body).toEqual({
      error: 'insufficient_user_authentication',
      error_description: 'a stronger authentication is required',
    });
    const old = authErrorResponse(new InsufficientUserAuthenticationError({ reason: 'max_age', maxAge: 60 }));
    expect(old.headers['www-authenticate']).toBe(
      'Bearer realm="gatehouse", error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age="60"',
    );
  });

  it("puts a DPoP request's step-up on the DPoP challenge, and a DPoP failure's scopes there only", () => {
    const error = new InsufficientUserAuthenticationError({ reason: 'acr', acrValues: ['urn:example:mfa'] });
    const res = authErrorResponse(error, { dpop, scheme: 'DPoP', resourceMetadata: META });
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="gatehouse", resource_metadata="${META}", DPoP algs="ES256", error="insufficient_user_authentication", ` +
        `error_description="a stronger authentication is required", acr_values="urn:example:mfa", resource_metadata="${META}"`,
    );
    const proof = authErrorResponse(new InvalidDpopProofError('htu'), { dpop, scopes: ['api:read'] });
    expect(proof.headers['www-authenticate']).toMatch(
      /^Bearer realm="gatehouse", DPoP algs="ES256", error="invalid_dpop_proof", .*scope="api:read"$/,
    );
  });
});

describe('bearerChallenge', () => {
  it('escapes quotes and backslashes and drops control characters', () => {
    expect(bearerChallenge({ realm: 'a"b\\c\r\nd', error: 'invalid_token' })).toBe(
      'Bearer realm="a\\"b\\\\cd", error="invalid_token"',
    );
  });
});
