import type { KeyObject, VerifyKeyObjectInput } from 'node:crypto';
import { nodeCrypto } from '../platform/builtins.js';
import { algorithmSpec, type PublicJwk, type VerificationBackend } from './algorithms.js';

/**
 * Signatures verified synchronously by node:crypto (OpenSSL on Node, BoringSSL on Bun, Deno's and
 * workerd's own): the fast path, no promise and no tick. The key is imported once per JWK, and its
 * `crypto.verify` input per algorithm on first use. Undefined where the runtime has no node:crypto.
 * @internal
 */
export const nodeBackend: VerificationBackend | undefined = nodeCrypto && nodeVerifier(nodeCrypto);

function nodeVerifier(nodeCrypto: typeof import('node:crypto')): VerificationBackend {
  return {
    name: 'node',

    importKey(jwk: PublicJwk): KeyObject | undefined {
      try {
        return nodeCrypto.createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        return undefined;
      }
    },

    verify(alg, key, signingInput, signature) {
      const spec = algorithmSpec(alg);
      let input = key.inputs.get(alg) as KeyObject | VerifyKeyObjectInput | undefined;
      if (input === undefined) {
        const object = key.key as KeyObject;
        input = spec.pss
          ? {
              key: object,
              padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING,
              saltLength: nodeCrypto.constants.RSA_PSS_SALTLEN_DIGEST,
            }
          : spec.kty === 'EC'
            ? { key: object, dsaEncoding: 'ieee-p1363' }
            : object;
        key.inputs.set(alg, input);
      }
      try {
        return nodeCrypto.verify(spec.hash, signingInput, input, signature);
      } catch {
        // OpenSSL rejects some malformed signatures by throwing rather than returning false.
        return false;
      }
    },
  };
}
