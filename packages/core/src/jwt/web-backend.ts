import type { webcrypto } from 'node:crypto';
import {
  algorithmSpec,
  type JwsAlgorithm,
  keyFitsAlgorithm,
  type PublicJwk,
  SUPPORTED_ALGORITHMS,
  type VerificationBackend,
  type VerificationKey,
} from './algorithms.js';

const HASHES = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;
const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

// The WebCrypto algorithm a JWK is imported for, and the parameters of `subtle.verify`.
function importParams(
  alg: JwsAlgorithm,
  jwk: PublicJwk,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm {
  const spec = algorithmSpec(alg);
  if (spec.kty === 'RSA') {
    return { name: spec.pss ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash: HASHES[spec.hash!] };
  }
  if (spec.kty === 'EC') return { name: 'ECDSA', namedCurve: (jwk as { crv: string }).crv };
  return { name: (jwk as { crv: string }).crv };
}

function verifyParams(
  alg: JwsAlgorithm,
  jwk: PublicJwk,
): webcrypto.Algorithm | webcrypto.RsaPssParams | webcrypto.EcdsaParams {
  const spec = algorithmSpec(alg);
  if (spec.pss) return { name: 'RSA-PSS', saltLength: HASH_BYTES[spec.hash!] };
  if (spec.kty === 'RSA') return { name: 'RSASSA-PKCS1-v1_5' };
  if (spec.kty === 'EC') return { name: 'ECDSA', hash: HASHES[spec.hash!] };
  return { name: (jwk as { crv: string }).crv };
}

// One webcrypto.CryptoKey per JWK and algorithm (WebCrypto binds the algorithm to the key), imported once and
// shared by every verification; undefined when the runtime refuses the key material.
function cryptoKey(alg: JwsAlgorithm, key: VerificationKey): Promise<webcrypto.CryptoKey | undefined> {
  let pending = key.inputs.get(alg) as Promise<webcrypto.CryptoKey | undefined> | undefined;
  if (pending === undefined) {
    const jwk = key.jwk as webcrypto.JsonWebKey;
    pending = crypto.subtle.importKey('jwk', jwk, importParams(alg, key.jwk), false, ['verify']).then(
      (imported) => imported,
      () => undefined,
    );
    key.inputs.set(alg, pending);
  }
  return pending;
}

// The algorithm a key is checked with when its key set is loaded: the one it pins, else the first that fits
// its type and curve (RS256, ES256/384/512 by curve, EdDSA; the import admitted only those curves).
function representative(key: VerificationKey): JwsAlgorithm {
  return (
    (key.alg as JwsAlgorithm | undefined) ?? SUPPORTED_ALGORITHMS.find((alg) => keyFitsAlgorithm(key, alg))!
  );
}

/**
 * Signatures verified by WebCrypto (`crypto.subtle`), which every runtime has: used where node:crypto is
 * missing (workerd without `nodejs_compat`) or fails its known-answer test. Each verification is a
 * promise; the token cache keeps the hot path synchronous all the same.
 * @internal
 */
export const webBackend: VerificationBackend = {
  name: 'webcrypto',

  // WebCrypto imports only asynchronously: the JWK is kept, and imported per algorithm on first use
  // (or ahead, by `prepare`, when its key set loads).
  importKey: (jwk) => jwk,

  verify(alg, key, signingInput, signature) {
    return cryptoKey(alg, key).then(
      (imported) =>
        imported !== undefined &&
        crypto.subtle
          // Typed as ArrayBuffer-backed: the DOM typings (a consumer with `lib: ["DOM"]`) accept no other view.
          .verify(
            verifyParams(alg, key.jwk),
            imported,
            signature as Uint8Array<ArrayBuffer>,
            signingInput as Uint8Array<ArrayBuffer>,
          )
          .catch(() => false),
    );
  },

  prepare: (key, alg = representative(key)) => cryptoKey(alg, key).then((imported) => imported !== undefined),
};
