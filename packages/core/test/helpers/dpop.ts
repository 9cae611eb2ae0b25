import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { JoseKey } from './key-server.js';

/** A client's DPoP key pair, as jose makes it. */
export interface DpopKey {
  readonly alg: string;
  readonly privateKey: JoseKey;
  readonly publicJwk: JWK;
  /** RFC 7638 thumbprint, computed by jose (independently of Gatehouse). */
  readonly jkt: string;
}

export async function makeDpopKey(alg = 'ES256'): Promise<DpopKey> {
  const crv = alg === 'EdDSA' || alg === 'Ed25519' ? 'Ed25519' : undefined;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, crv });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** base64url(SHA-256(token)): the `ath` of a proof sent with `token`. */
export function ath(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface ProofClaims {
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string;
  ath?: string;
  nonce?: string;
  [claim: string]: unknown;
}

/**
 * Signs a DPoP proof with `key`: `typ` `dpop+jwt`, the public `jwk`, a random `jti`, `iat` now (or
 * `nowSecs`). A claim or header member set to undefined is left out.
 */
export async function makeProof(
  key: DpopKey,
  claims: ProofClaims,
  options: { header?: Record<string, unknown>; nowSecs?: number; signWith?: JoseKey } = {},
): Promise<string> {
  const payload: Record<string, unknown> = {
    jti: randomUUID(),
    iat: options.nowSecs ?? Math.floor(Date.now() / 1000),
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  const header: Record<string, unknown> = {
    typ: 'dpop+jwt',
    alg: key.alg,
    jwk: key.publicJwk,
    ...options.header,
  };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  return new SignJWT(payload).setProtectedHeader(header as never).sign(options.signWith ?? key.privateKey);
}
