import { describe, expect, it } from 'vitest';
import { checkAuthenticationContext } from '../src/policy/authentication-context.js';

const NOW = 1_800_000_000;
const MFA = 'urn:example:mfa';

describe('checkAuthenticationContext (RFC 9470)', () => {
  it('passes a token with a listed acr and a recent enough auth_time', () => {
    const claims = { acr: MFA, auth_time: NOW - 100 };
    expect(
      checkAuthenticationContext(claims, { acr: [MFA, 'urn:example:hwk'], maxAge: 300 }, NOW),
    ).toBeUndefined();
    expect(checkAuthenticationContext(claims, {}, NOW)).toBeUndefined();
  });

  it('a weaker or missing acr falls short, and the shortfall repeats the whole requirement', () => {
    expect(
      checkAuthenticationContext(
        { acr: 'urn:example:pwd', auth_time: NOW },
        { acr: [MFA], maxAge: 300 },
        NOW,
      ),
    ).toEqual({
      reason: 'acr',
      acrValues: [MFA],
      maxAge: 300,
    });
    expect(checkAuthenticationContext({}, { acr: [MFA] }, NOW)).toEqual({ reason: 'acr', acrValues: [MFA] });
  });

  it('an old or missing auth_time falls short of max_age (with the clock tolerance)', () => {
    expect(checkAuthenticationContext({ auth_time: NOW - 301 }, { maxAge: 300 }, NOW)).toEqual({
      reason: 'max_age',
      maxAge: 300,
    });
    expect(checkAuthenticationContext({ auth_time: NOW - 301 }, { maxAge: 300 }, NOW, 60)).toBeUndefined();
    expect(checkAuthenticationContext({ auth_time: String(NOW) }, { maxAge: 300 }, NOW)).toMatchObject({
      reason: 'max_age',
    });
    expect(checkAuthenticationContext({}, { maxAge: 300 }, NOW)).toMatchObject({ reason: 'max_age' });
  });
});
