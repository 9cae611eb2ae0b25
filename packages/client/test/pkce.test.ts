import { describe, expect, it } from 'vitest';
import { computeCodeChallenge, createCodeVerifier, createPkcePair } from '../src/index.js';

describe('PKCE helpers', () => {
  it('computes the RFC 7636 appendix B challenge', async () => {
    expect(await computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes verifiers of 43+ unreserved characters, different each time', () => {
    const a = createCodeVerifier();
    const b = createCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(a).not.toBe(b);
  });

  it('pairs a verifier with its S256 challenge', async () => {
    const pair = await createPkcePair();
    expect(pair.method).toBe('S256');
    expect(pair.challenge).toBe(await computeCodeChallenge(pair.verifier));
  });
});
