import { nodeCrypto } from './builtins.js';
import { encodeBase64, utf8Bytes } from './encoding.js';
import { hmacSha256Bytes, sha256Bytes } from './sha256.js';

/** The encodings core writes digests in. @internal */
export type DigestEncoding = 'base64' | 'base64url';

type Sha256 = (data: string | Uint8Array, encoding: DigestEncoding) => string;

// node:crypto's one-shot `hash` (Node >= 20.12, Bun, Deno) is the fast path: one call into OpenSSL, no
// Hash object. `createHash` where a runtime lacks `hash`; plain JavaScript where there is no node:crypto.
const nodeSha256: Sha256 | undefined = nodeCrypto && nodeDigest(nodeCrypto);

function nodeDigest(node: typeof import('node:crypto')): Sha256 {
  const { hash, createHash } = node;
  return typeof hash === 'function'
    ? (data, encoding) => hash('sha256', data, encoding)
    : (data, encoding) => createHash('sha256').update(data).digest(encoding);
}

const jsSha256: Sha256 = (data, encoding) =>
  encodeBase64(sha256Bytes(typeof data === 'string' ? utf8Bytes(data) : data), encoding);

let active: Sha256 = nodeSha256 ?? jsSha256;

/**
 * SHA-256 of `data` (a string is hashed as UTF-8), synchronously, encoded: the token cache's and the API
 * keys' digests, DPoP's `ath` and thumbprints, the limiters' keys.
 * @internal
 */
export function sha256(data: string | Uint8Array, encoding: DigestEncoding): string {
  return active(data, encoding);
}

/** HMAC-SHA-256 of `data` under `key`, synchronously. @internal */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (nodeCrypto && active === nodeSha256) {
    return new Uint8Array(nodeCrypto.createHmac('sha256', key).update(data).digest());
  }
  return hmacSha256Bytes(key, data);
}

/**
 * Test switch: `'javascript'` makes the digests run on the plain JavaScript SHA-256 that workerd without
 * `nodejs_compat` uses, `'auto'` restores node:crypto where the runtime has it. @internal
 */
export function useDigestImplementation(implementation: 'auto' | 'javascript'): void {
  active = implementation === 'javascript' ? jsSha256 : (nodeSha256 ?? jsSha256);
}
