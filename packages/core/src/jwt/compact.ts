import { InvalidTokenError, UnsupportedAlgorithmError } from '../errors.js';
import { decodeBase64, latin1Bytes, utf8Text } from '../platform/encoding.js';
import { isSupportedAlgorithm, type JwsAlgorithm } from './algorithms.js';

/** The protected header parameters Gatehouse reads. `jku`, `x5u`, `jwk` and `x5c` are never used. */
export interface JwsHeader {
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
  /** The `typ` header parameter, when it is a string (explicit typing, RFC 8725 §3.11). */
  readonly typ?: string;
}

/** A compact JWS split into its parts; nothing here is verified yet. */
export interface CompactJws {
  readonly header: JwsHeader;
  readonly payload: Record<string, unknown>;
  /** ASCII bytes of `header.payload`, the signed data. */
  readonly signingInput: Uint8Array;
  readonly signature: Uint8Array;
}

/** Cheap shape test: three dot-separated segments (a JWE has five and is not accepted). */
export function looksLikeJws(token: string): boolean {
  const first = token.indexOf('.');
  if (first <= 0) return false;
  const second = token.indexOf('.', first + 1);
  return second > first + 1 && token.indexOf('.', second + 1) === -1;
}

// Tokens of one issuer and key share the same header segment, so its parse is memoised. Bounded: the
// memo is dropped whenever it fills, so hostile headers cannot grow it.
const HEADER_MEMO_LIMIT = 64;
const headerMemo = new Map<string, JwsHeader | Error>();

/** The parts of a compact JWS, split and decoded with strict base64url; nothing is verified yet. */
export interface JwsParts {
  /** The base64url header segment, as sent (tokens of one signer share it, so it keys memos). */
  readonly headerSegment: string;
  readonly payload: Record<string, unknown>;
  /** ASCII bytes of `header.payload`, the signed data. */
  readonly signingInput: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Splits a compact JWS (RFC 7515 §7.1) into its parts, or undefined when it is not one: three non-empty
 * segments of strict base64url, a JSON object payload. The header is left to the caller.
 */
export function splitCompactJws(token: string): JwsParts | undefined {
  const first = token.indexOf('.');
  const second = first > 0 ? token.indexOf('.', first + 1) : -1;
  if (second <= first + 1 || second === token.length - 1 || token.indexOf('.', second + 1) !== -1) {
    return undefined;
  }
  // Node's base64url decoder also takes the base64 alphabet and padding; a JWS has neither.
  if (token.indexOf('+') !== -1 || token.indexOf('/') !== -1 || token.indexOf('=') !== -1) {
    return undefined;
  }
  const payload = parseJsonSegment(token.slice(first + 1, second));
  if (payload === undefined) return undefined;
  const signature = decodeSegment(token.slice(second + 1));
  if (signature === undefined) return undefined;
  return {
    headerSegment: token.slice(0, first),
    payload,
    signingInput: latin1Bytes(token.slice(0, second)),
    signature,
  };
}

/**
 * Splits and decodes a compact JWS (RFC 7515 §7.1) with strict base64url, and checks the header:
 * a supported asymmetric `alg`, a string `kid` if any, and no `crit` extension (none is understood).
 */
export function decodeCompactJws(token: string): CompactJws {
  const parts = splitCompactJws(token);
  if (parts === undefined) throw malformed('malformed token');
  const { headerSegment } = parts;
  let header = headerMemo.get(headerSegment);
  if (header === undefined) {
    header = parseHeader(headerSegment);
    if (headerMemo.size >= HEADER_MEMO_LIMIT) headerMemo.clear();
    headerMemo.set(headerSegment, header);
  }
  if (header instanceof Error) throw header;
  return { header, payload: parts.payload, signingInput: parts.signingInput, signature: parts.signature };
}

function malformed(message: string): InvalidTokenError {
  return new InvalidTokenError(message, { reason: 'malformed' });
}

/**
 * Strict base64url (RFC 7515 §2, no padding): Node's decoder skips characters outside its alphabet
 * instead of failing, so any such character shows as a shorter result. (`+`, `/` and `=`, which Node
 * accepts, are refused by the caller.) This replaces a regular expression over the whole token, which
 * cost more than the decoding itself.
 */
function decodeSegment(segment: string): Uint8Array | undefined {
  const length = segment.length;
  if (length % 4 === 1) return undefined;
  const bytes = decodeBase64(segment);
  return bytes !== undefined && bytes.length === (length * 3) >>> 2 ? bytes : undefined;
}

function parseHeader(segment: string): JwsHeader | Error {
  const header = parseJsonSegment(segment);
  if (header === undefined) return malformed('malformed token header');
  const { alg, kid, crit } = header;
  if (!isSupportedAlgorithm(alg)) return new UnsupportedAlgorithmError(String(alg));
  if (kid !== undefined && typeof kid !== 'string') {
    return new InvalidTokenError('malformed token header', { reason: 'header', claim: 'kid' });
  }
  // RFC 7515 §4.1.11: a recipient must reject a JWS whose critical extensions it does not understand.
  if (crit !== undefined) {
    return new InvalidTokenError('unsupported critical header', { reason: 'header', claim: 'crit' });
  }
  return Object.freeze(typeof header.typ === 'string' ? { alg, kid, typ: header.typ } : { alg, kid });
}

/**
 * Decodes a base64url segment to a JSON object; undefined when it is not one. The parse error is
 * dropped on purpose: its message quotes the decoded token text.
 */
export function parseJsonSegment(segment: string): Record<string, unknown> | undefined {
  const bytes = decodeSegment(segment);
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(utf8Text(bytes));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
