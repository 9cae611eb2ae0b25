import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** Signature algorithms the dev IdP can sign its tokens with. */
export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];

export interface SigningKey {
  alg: SigningAlg;
  kid: string;
  /** Private JWK for oidc-provider's `jwks`. */
  privateJwk: JWK;
  /** For tokens the dev IdP signs itself (`signAccessToken`). */
  privateKey: CryptoKey;
  /** For checking subject tokens in the token exchange. */
  publicKey: CryptoKey;
}

/** A fresh key pair per instance: nothing secret is ever written down or reused between runs. */
export async function createSigningKey(alg: SigningAlg): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { alg, kid, privateJwk: { ...jwk, kid, alg, use: 'sig' }, privateKey, publicKey };
}
