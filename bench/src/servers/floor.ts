import { createPublicKey, type KeyObject, type VerifyKeyObjectInput, verify } from 'node:crypto';
import type { ServerConfig } from '../fixture.js';

/**
 * The physical floor for a request that must verify a signature: a synchronous `node:crypto` verify
 * with a memoised KeyObject (imported once from the issuer's JWKS), plus the claim checks a correct
 * middleware must make (alg/kid, iss, aud, exp, nbf, iat, sub). Nothing is cached between requests.
 * Returns the subject, or undefined for any failure (→ 401).
 */
export type FloorVerifier = (authorization: string | undefined) => string | undefined;

const TOLERANCE_SECS = 60;
const HASH = { RS256: 'sha256', ES256: 'sha256' } as const;

interface Key {
  readonly alg: keyof typeof HASH;
  readonly input: KeyObject | VerifyKeyObjectInput;
}

export async function createFloorVerifier(config: ServerConfig): Promise<FloorVerifier> {
  const response = await fetch(config.jwksUri);
  const { keys: jwks } = (await response.json()) as { keys: Array<Record<string, string>> };
  const keys = new Map<string, Key>();
  for (const jwk of jwks) {
    const alg = jwk.alg;
    if (alg !== 'RS256' && alg !== 'ES256') continue;
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    keys.set(jwk.kid!, { alg, input: alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key });
  }
  const { issuer, audience } = config;

  return (authorization) => {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return undefined;
    const token = authorization.slice(7);
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || token.indexOf('.', dot2 + 1) !== -1) return undefined;
    try {
      const header = JSON.parse(Buffer.from(token.slice(0, dot1), 'base64url').toString());
      const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
      if (key === undefined || header.alg !== key.alg || header.crit !== undefined) return undefined;
      const signingInput = Buffer.from(token.slice(0, dot2));
      const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
      if (!verify(HASH[key.alg], signingInput, key.input, signature)) return undefined;
      const p = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString());
      const now = Date.now() / 1000;
      if (p.iss !== issuer) return undefined;
      if (!(p.aud === audience || (Array.isArray(p.aud) && p.aud.includes(audience)))) return undefined;
      if (typeof p.exp !== 'number' || p.exp <= now - TOLERANCE_SECS) return undefined;
      if (p.nbf !== undefined && !(typeof p.nbf === 'number' && p.nbf <= now + TOLERANCE_SECS))
        return undefined;
      if (p.iat !== undefined && !(typeof p.iat === 'number' && p.iat <= now + TOLERANCE_SECS))
        return undefined;
      if (typeof p.sub !== 'string' || p.sub.length === 0) return undefined;
      return p.sub;
    } catch {
      return undefined;
    }
  };
}
