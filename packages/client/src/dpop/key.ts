import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { InvalidOptionsError } from '../errors.js';

/** Algorithms a {@link DpopKey} can use: the ones identity providers accept for proofs. */
export type DpopAlgorithm = 'ES256' | 'EdDSA' | 'PS256' | 'RS256';

/**
 * A DPoP key pair (RFC 9449): the client proves possession of it on every request, and tokens issued to
 * a request signed with it are bound to its thumbprint (`cnf.jkt`).
 *
 * @example
 * ```ts
 * import { generateDpopKey } from '@gatehouse/client';
 * const key = await generateDpopKey();
 * console.error(key.thumbprint);
 * ```
 */
export interface DpopKey {
  readonly alg: DpopAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public JWK sent in every proof's header. */
  readonly publicJwk: JWK;
  /** The RFC 7638 thumbprint: what a bound token carries in `cnf.jkt`. */
  readonly thumbprint: string;
}

const ALGORITHMS: readonly DpopAlgorithm[] = ['ES256', 'EdDSA', 'PS256', 'RS256'];

/**
 * Generates a DPoP key pair (ES256 by default). The private key is extractable only so that it can be
 * kept, encrypted, with the token file ({@link exportDpopKey}).
 *
 * @example
 * ```ts
 * import { generateDpopKey } from '@gatehouse/client';
 * const key = await generateDpopKey('EdDSA');
 * ```
 */
export async function generateDpopKey(alg: DpopAlgorithm = 'ES256'): Promise<DpopKey> {
  if (!ALGORITHMS.includes(alg))
    throw new InvalidOptionsError('alg', `"alg" must be one of ${ALGORITHMS.join(', ')}`);
  const crv = alg === 'EdDSA' ? 'Ed25519' : undefined;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, crv });
  return fromPair(alg, privateKey, publicKey);
}

/**
 * The private key as a JSON string (a private JWK with its `alg`), for the token file. It is a secret:
 * keep it where the refresh token is kept, encrypted the same way.
 *
 * @example
 * ```ts
 * import { exportDpopKey, generateDpopKey, importDpopKey } from '@gatehouse/client';
 * const saved = await exportDpopKey(await generateDpopKey());
 * const key = await importDpopKey(saved);
 * ```
 */
export async function exportDpopKey(key: DpopKey): Promise<string> {
  return JSON.stringify({ ...(await exportJWK(key.privateKey)), alg: key.alg });
}

/**
 * Reads a key written by {@link exportDpopKey}. Throws {@link InvalidOptionsError} (naming no secret) when
 * it is not one.
 *
 * @example
 * ```ts
 * import { importDpopKey } from '@gatehouse/client';
 * declare const saved: string;
 * const key = await importDpopKey(saved);
 * ```
 */
export async function importDpopKey(serialized: string): Promise<DpopKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(serialized) as JWK;
  } catch {
    throw new InvalidOptionsError('dpopKey', 'the saved DPoP key is not valid JSON');
  }
  const alg = jwk.alg as DpopAlgorithm;
  if (!ALGORITHMS.includes(alg) || typeof jwk.d !== 'string') {
    throw new InvalidOptionsError(
      'dpopKey',
      'the saved DPoP key is not a private key of a supported algorithm',
    );
  }
  try {
    const privateKey = (await importJWK(jwk, alg, { extractable: true })) as CryptoKey;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = jwk;
    const publicKey = (await importJWK({ ...publicMembers, key_ops: undefined }, alg)) as CryptoKey;
    return fromPair(alg, privateKey, publicKey);
  } catch {
    throw new InvalidOptionsError('dpopKey', 'the saved DPoP key cannot be imported');
  }
}

async function fromPair(alg: DpopAlgorithm, privateKey: CryptoKey, publicKey: CryptoKey): Promise<DpopKey> {
  const exported = await exportJWK(publicKey);
  // Only the members RFC 7638 needs, so the header carries nothing else about the key.
  const publicJwk: JWK =
    exported.kty === 'RSA'
      ? { kty: 'RSA', e: exported.e, n: exported.n }
      : exported.kty === 'EC'
        ? { kty: 'EC', crv: exported.crv, x: exported.x, y: exported.y }
        : { kty: exported.kty, crv: exported.crv, x: exported.x };
  return { alg, privateKey, publicKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}
