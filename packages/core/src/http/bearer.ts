import { DEFAULTS } from '../config/defaults.js';
import { InvalidRequestError, MissingCredentialsError } from '../errors.js';

/** Longest bearer credential accepted by default, in characters; longer headers are refused before any work. */
export const DEFAULT_MAX_TOKEN_LENGTH: number = DEFAULTS.maxTokenLength;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The authentication schemes a credential may be presented with (RFC 6750, RFC 9449). */
export type CredentialScheme = 'Bearer' | 'DPoP';

/** A credential from the `Authorization` header, split but not yet checked against any provider. */
export interface Credential {
  /** The scheme as Gatehouse spells it, whatever the case it was sent in. */
  readonly scheme: CredentialScheme;
  /**
   * The token. Its characters are checked lazily: a provider that already knows the token (an API key, a
   * cached token) answers without the check; any other path calls {@link assertTokenSyntax} first.
   */
  readonly token: string;
}

/**
 * The `Authorization` header value(s) of a Node request, from `req.rawHeaders`. Node keeps only the first
 * of duplicated `Authorization` headers in `req.headers`, which would let a second one go unnoticed; this
 * returns an array when there are several, so {@link parseAuthorization} can refuse the request.
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
      found = appendValue(found, rawHeaders[i + 1] ?? '');
    }
  }
  return found;
}

/** Adds one header value to what was collected so far (an array from the second value on). @internal */
export function appendValue(found: string | string[] | undefined, value: string): string | string[] {
  if (found === undefined) return value;
  if (typeof found === 'string') return [found, value];
  found.push(value);
  return found;
}

/**
 * Splits an `Authorization` header value into scheme and token, once per request. `Bearer` (RFC 6750
 * §2.1) and, when `schemes` allows it, `DPoP` (RFC 9449 §7.1) are accepted, in any case. Throws
 * {@link MissingCredentialsError} for no header or another scheme, and {@link InvalidRequestError} for
 * several headers, an empty token, or an oversized header. The token's characters are not checked here
 * (see {@link Credential.token}).
 *
 * @example
 * ```ts
 * parseAuthorization('Bearer abc.def.ghi'); // { scheme: 'Bearer', token: 'abc.def.ghi' }
 * ```
 */
export function parseAuthorization(
  header: string | readonly string[] | undefined,
  maxTokenLength: number = DEFAULT_MAX_TOKEN_LENGTH,
  schemes: { readonly dpop?: boolean } = {},
): Credential {
  if (header === undefined) throw new MissingCredentialsError();
  let value: string;
  if (typeof header === 'string') value = header;
  else if (header.length === 1) value = header[0]!;
  else if (header.length === 0) throw new MissingCredentialsError();
  else throw new InvalidRequestError('duplicate_header');

  // The scheme and at least one space precede the token.
  if (value.length > maxTokenLength + 16) throw new InvalidRequestError('too_long');
  const space = value.indexOf(' ');
  const schemeText = space === -1 ? value : value.slice(0, space);
  const scheme = schemeOf(schemeText, schemes.dpop === true);
  if (scheme === undefined) {
    if (schemeText.length === 0) throw new MissingCredentialsError();
    // Report which scheme was used (never its credentials), bounded to a plausible scheme name.
    throw new MissingCredentialsError(
      /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}$/.test(schemeText) ? schemeText : 'unknown',
    );
  }
  if (space === -1) throw new InvalidRequestError('empty_token');
  let start = space + 1;
  while (value.charCodeAt(start) === 32) start++;
  const token = value.slice(start);
  if (token.length === 0) throw new InvalidRequestError('empty_token');
  if (token.length > maxTokenLength) throw new InvalidRequestError('too_long');
  return { scheme, token };
}

function schemeOf(text: string, dpop: boolean): CredentialScheme | undefined {
  if (text.length === 6) {
    if (text === 'Bearer' || text.toLowerCase() === 'bearer') return 'Bearer';
  } else if (dpop && text.length === 4) {
    if (text === 'DPoP' || text.toLowerCase() === 'dpop') return 'DPoP';
  }
  return undefined;
}

/**
 * Throws {@link InvalidRequestError} (`malformed`) unless `token` is an RFC 6750 b64token. Called before
 * any work on a token that no provider knows yet; a regular expression over a whole JWT costs about 2 µs,
 * which a known token never pays.
 */
export function assertTokenSyntax(token: string): void {
  if (!B64TOKEN.test(token)) throw new InvalidRequestError('malformed');
}

/**
 * The bearer token of an `Authorization` header value (RFC 6750 §2.1; the scheme is case-insensitive),
 * syntax checked. Throws {@link MissingCredentialsError} when there is no header or another scheme, and
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
  const { token } = parseAuthorization(header, maxTokenLength);
  assertTokenSyntax(token);
  return token;
}

/** Whether `value` is a valid RFC 6750 b64token, i.e. could be sent as a bearer credential. */
export function isBearerToken(value: string): boolean {
  return B64TOKEN.test(value);
}
