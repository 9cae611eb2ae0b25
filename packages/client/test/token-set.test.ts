import { describe, expect, it } from 'vitest';
import { isExpiring, refreshBufferSecs, type TokenSet } from '../src/index.js';
import { toTokenSet } from '../src/token-set.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('refresh buffer (README: "How it behaves")', () => {
  it.each([
    [3600, 300],
    [600, 60],
    [60, 6],
  ])('a %i s token is renewed %i s early', (lifetime, buffer) => {
    expect(refreshBufferSecs(lifetime)).toBe(buffer);
    const tokens: TokenSet = { accessToken: 'x', tokenType: 'Bearer', obtainedAt: 0, expiresAt: lifetime };
    expect(isExpiring(tokens, lifetime - buffer - 1)).toBe(false);
    expect(isExpiring(tokens, lifetime - buffer)).toBe(true);
  });

  it('a token with no known expiry (no expires_in, not a JWT) is used until a service rejects it', () => {
    const tokens = toTokenSet({ access_token: 'opaque', token_type: 'bearer' }, 1_000);
    expect(tokens.expiresAt).toBeUndefined();
    expect(isExpiring(tokens, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it("takes the expiry from expires_in, else from the access token's exp claim", () => {
    expect(
      toTokenSet({ access_token: 'opaque', token_type: 'bearer', expires_in: 600 }, 1_000).expiresAt,
    ).toBe(1_600);
    const jwt = `${b64({ alg: 'none' })}.${b64({ exp: 5_000 })}.sig`;
    expect(toTokenSet({ access_token: jwt, token_type: 'bearer' }, 1_000).expiresAt).toBe(5_000);
  });
});
