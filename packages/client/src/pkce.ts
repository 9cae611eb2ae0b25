import * as oidc from 'openid-client';

/**
 * A PKCE (RFC 7636) verifier and its S256 challenge.
 *
 * @example
 * ```ts
 * import { createPkcePair, type PkcePair } from '@gatehouse/client';
 * const pair: PkcePair = await createPkcePair();
 * ```
 */
export interface PkcePair {
  /** The secret `code_verifier`, sent only to the token endpoint. */
  verifier: string;
  /** `BASE64URL(SHA256(verifier))`, sent in the authorization request. */
  challenge: string;
  /** Always `S256`; the `plain` method is never used. */
  method: 'S256';
}

/**
 * A new random `code_verifier` (43 characters of base64url, 256 bits of entropy).
 *
 * @example
 * ```ts
 * import { createCodeVerifier } from '@gatehouse/client';
 * const verifier = createCodeVerifier();
 * ```
 */
export function createCodeVerifier(): string {
  return oidc.randomPKCECodeVerifier();
}

/**
 * The S256 `code_challenge` of a verifier (RFC 7636 §4.2). Deterministic.
 *
 * @example
 * ```ts
 * import { computeCodeChallenge } from '@gatehouse/client';
 * await computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
 * // "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
 * ```
 */
export function computeCodeChallenge(verifier: string): Promise<string> {
  return oidc.calculatePKCECodeChallenge(verifier);
}

/**
 * A fresh verifier with its challenge.
 *
 * @example
 * ```ts
 * import { createPkcePair } from '@gatehouse/client';
 * const { verifier, challenge, method } = await createPkcePair();
 * ```
 */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = createCodeVerifier();
  return { verifier, challenge: await computeCodeChallenge(verifier), method: 'S256' };
}

/**
 * A random `state` value (CSRF protection of the redirect).
 *
 * @example
 * ```ts
 * import { createState } from '@gatehouse/client';
 * const state = createState();
 * ```
 */
export function createState(): string {
  return oidc.randomState();
}

/**
 * A random `nonce` value (binds the ID token to this login).
 *
 * @example
 * ```ts
 * import { createNonce } from '@gatehouse/client';
 * const nonce = createNonce();
 * ```
 */
export function createNonce(): string {
  return oidc.randomNonce();
}
