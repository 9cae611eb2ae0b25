import { sha256 } from '../platform/digest.js';
import { decodeBase64 } from '../platform/encoding.js';

/**
 * The RFC 8705 §3.1 thumbprint of a certificate: base64url(SHA-256(DER)), the value a certificate-bound
 * token carries in `cnf["x5t#S256"]`.
 *
 * @example
 * ```ts
 * const x5t = certificateThumbprint((req.socket as TLSSocket).getPeerCertificate().raw);
 * ```
 */
export function certificateThumbprint(der: Uint8Array): string {
  return sha256(der, 'base64url');
}

const BASE64 = /^[A-Za-z0-9+/\-_]+={0,2}$/;
const PEM = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/**
 * The DER bytes of a client certificate that a TLS-terminating proxy forwarded in a header, or undefined
 * when there is none (or several, or an unreadable one). Understands the usual encodings: an RFC 9440
 * `Client-Cert` byte sequence (`:base64:`), a PEM block, URL-encoded (nginx `$ssl_client_escaped_cert`,
 * AWS ALB) or with its line breaks turned into spaces, and bare base64 DER.
 *
 * @example
 * ```ts
 * const der = parseForwardedCertificate(req.headers['client-cert']);
 * ```
 */
export function parseForwardedCertificate(
  value: string | readonly string[] | undefined,
): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    if (value.length !== 1) return undefined;
    value = value[0]!;
  }
  let text = value.trim();
  if (text.length === 0 || text.length > 65_536) return undefined;
  if (text.length > 2 && text.startsWith(':') && text.endsWith(':')) return decodeDer(text.slice(1, -1));
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  const pem = PEM.exec(text);
  if (pem) return decodeDer(pem[1]!.replace(/\s+/g, ''));
  return decodeDer(text);
}

function decodeDer(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const der = decodeBase64(text);
  // A DER certificate is a SEQUENCE: anything else is not one.
  return der !== undefined && der.length > 16 && der[0] === 0x30 ? der : undefined;
}
