import { sha256 } from '../platform/digest.js';

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK, base64url-encoded: the value a DPoP-bound token
 * carries in `cnf.jkt` (RFC 9449 §6.1). Undefined when the key type is not EC, OKP or RSA or a required
 * member is not a string.
 *
 * @example
 * ```ts
 * const jkt = jwkThumbprint({ kty: 'EC', crv: 'P-256', x: '…', y: '…' });
 * ```
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = typeof jwk.kty === 'string' ? REQUIRED_MEMBERS[jwk.kty] : undefined;
  if (members === undefined) return undefined;
  // Members are written by hand rather than by JSON.stringify of a rebuilt object, so that the order is
  // the RFC's whatever the input's; each value is a JSON string (RFC 7638 §3.3: no whitespace).
  let json = '{';
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') return undefined;
    json += `${json.length > 1 ? ',' : ''}"${name}":${JSON.stringify(value)}`;
  }
  return sha256(`${json}}`, 'base64url');
}
