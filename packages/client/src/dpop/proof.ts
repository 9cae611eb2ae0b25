import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { DpopKey } from './key.js';

/**
 * What a DPoP proof is made for: one request, and the access token sent with it.
 *
 * @example
 * ```ts
 * import type { DpopProofInput } from '@gatehouse/client';
 * const input: DpopProofInput = { method: 'GET', url: 'https://api.example.com/v1/whoami', accessToken: 'at' };
 * ```
 */
export interface DpopProofInput {
  readonly method: string;
  /** The request URL; its query and fragment are left out of `htu`. */
  readonly url: string | URL;
  /** The access token sent with the request: its hash goes in `ath`. */
  readonly accessToken?: string;
  /** The server's nonce (`DPoP-Nonce`), when it asked for one. */
  readonly nonce?: string;
  /** The proof's `iat`, in seconds. Default: now. */
  readonly issuedAt?: number;
}

/**
 * Signs a DPoP proof (RFC 9449 §4.2) for one request: `typ` `dpop+jwt`, the public `jwk`, a fresh `jti`,
 * `htm`, `htu`, `iat`, and `ath` when an access token goes with it.
 *
 * @example
 * ```ts
 * import { createDpopProof, generateDpopKey } from '@gatehouse/client';
 * const key = await generateDpopKey();
 * const proof = await createDpopProof(key, { method: 'GET', url: 'https://api.example.com/v1/whoami', accessToken: 'at' });
 * ```
 */
export async function createDpopProof(key: DpopKey, input: DpopProofInput): Promise<string> {
  const url = new URL(input.url);
  url.search = '';
  url.hash = '';
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: input.method.toUpperCase(),
    htu: url.href,
    iat: input.issuedAt ?? Math.floor(Date.now() / 1000),
  };
  if (input.accessToken !== undefined) {
    claims.ath = createHash('sha256').update(input.accessToken).digest('base64url');
  }
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk })
    .sign(key.privateKey);
}
