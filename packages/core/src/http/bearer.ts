import { InvalidRequestError, MissingCredentialsError } from '../errors.js';

/** Longest bearer credential accepted by default, in characters; longer headers are refused before any work. */
export const DEFAULT_MAX_TOKEN_LENGTH = 8192;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The `Authorization` header value(s) of a Node request, from `req.rawHeaders`. Node keeps only the first
 * of duplicated `Authorization` headers in `req.headers`, which would let a second one go unnoticed; this
 * returns an array when there are several, so {@link extractBearer} can refuse the request.
 *
 * @example
 * ```ts
 * const token = extractBearer(authorizationHeader(req.rawHeaders));
 * ```
 */
export function authorizationHeader(rawHeaders: readonly string[]): string | string[] | undefined {
  let found: string | string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      const value = rawHeaders[i + 1] ?? '';
      if (found === undefined) found = value;
      else if (typeof found === 'string') found = [found, value];
      else found.push(value);
    }
  }
  return found;
}

/**
 * The bearer token of an `Authorization` header value (RFC 6750 §2.1; the scheme is case-insensitive).
 * Throws {@link MissingCredentialsError} when there is no header or another scheme, and
 * {@link InvalidRequestError} for several headers, an empty or malformed token, or an oversized header.
 *
 * @example
 * ```ts
 * extractBearer('Bearer abc.def.ghi'); // 'abc.def.ghi'
 * ```
 */
export function extractBearer(
  header: string | readonly string[] | undefined,
  maxTokenLength: number = DEFAULT_MAX_TOKEN_LENGTH,
): string {
  if (header === undefined) throw new MissingCredentialsError();
  let value: string;
  if (typeof header === 'string') value = header;
  else if (header.length === 1) value = header[0]!;
  else if (header.length === 0) throw new MissingCredentialsError();
  else throw new InvalidRequestError('duplicate_header');

  // "Bearer" + at least one space precede the token.
  if (value.length > maxTokenLength + 16) throw new InvalidRequestError('too_long');
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.length !== 6 || scheme.toLowerCase() !== 'bearer') {
    if (scheme.length === 0) throw new MissingCredentialsError();
    // Report which scheme was used (never its credentials), bounded to a plausible scheme name.
    throw new MissingCredentialsError(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}$/.test(scheme) ? scheme : 'unknown');
  }
  let start = space;
  if (start === -1) throw new InvalidRequestError('empty_token');
  while (value.charCodeAt(start) === 32) start++;
  const token = start === 0 ? value : value.slice(start);
  if (token.length === 0) throw new InvalidRequestError('empty_token');
  if (token.length > maxTokenLength) throw new InvalidRequestError('too_long');
  if (!B64TOKEN.test(token)) throw new InvalidRequestError('malformed');
  return token;
}

/** Whether `value` is a valid RFC 6750 b64token, i.e. could be sent as a bearer credential. */
export function isBearerToken(value: string): boolean {
  return B64TOKEN.test(value);
}
