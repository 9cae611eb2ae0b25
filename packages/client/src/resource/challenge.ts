/**
 * Reading a `WWW-Authenticate` header (RFC 9110 §11.6.1): the challenges, and what a resource server asks
 * for in its Bearer or DPoP challenge: where its metadata is (RFC 9728 §5.1), the scope that would help
 * (RFC 6750 §3.1), the authentication it wants (RFC 9470 §3).
 */

/**
 * One challenge of a `WWW-Authenticate` header: its scheme and its parameters (names lower-cased, quoted
 * values unescaped).
 *
 * @example
 * ```ts
 * import { parseWwwAuthenticate } from '@gatehouse/client';
 * const [bearer] = parseWwwAuthenticate('Bearer realm="api", error="invalid_token"');
 * console.log(bearer?.scheme, bearer?.params.error); // Bearer invalid_token
 * ```
 */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * What a Bearer or DPoP challenge asks of the client.
 *
 * @example
 * ```ts
 * import { readResourceChallenge } from '@gatehouse/client';
 * const asked = readResourceChallenge('Bearer error="insufficient_scope", scope="files:write"');
 * console.log(asked?.scope); // "files:write"
 * ```
 */
export interface ResourceChallenge {
  /** `Bearer` or `DPoP`. */
  scheme: string;
  /** RFC 9728 §5.1: the URL of the resource's protected resource metadata. */
  resourceMetadata?: string;
  /** The scope (space-separated) that would satisfy the request. */
  scope?: string;
  /** `invalid_token`, `insufficient_scope`, `insufficient_user_authentication`… */
  error?: string;
  errorDescription?: string;
  /** RFC 9470: the authentication context classes wanted, in order of preference. */
  acrValues?: string[];
  /** RFC 9470: the greatest acceptable age of the authentication, in seconds. */
  maxAge?: number;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

/**
 * Splits a `WWW-Authenticate` value into its challenges. Lenient: a malformed part ends the parse, and
 * what was read before it is kept.
 *
 * @example
 * ```ts
 * import { parseWwwAuthenticate } from '@gatehouse/client';
 * const challenges = parseWwwAuthenticate('Bearer realm="api", DPoP algs="ES256 RS256"');
 * console.log(challenges.map((c) => c.scheme)); // ['Bearer', 'DPoP']
 * ```
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let current: AuthChallenge | undefined;
  let i = 0;
  const skipSpace = () => {
    while (header[i] === ' ' || header[i] === '\t') i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const match = TOKEN.exec(header);
    if (!match) return undefined;
    i = TOKEN.lastIndex;
    return match[0];
  };
  const quoted = (): string | undefined => {
    let value = '';
    for (i++; i < header.length; i++) {
      const c = header[i];
      if (c === '\\') value += header[++i] ?? '';
      else if (c === '"') {
        i++;
        return value;
      } else value += c;
    }
    return undefined; // no closing quote
  };

  while (i < header.length) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    const name = token();
    if (name === undefined) break;
    skipSpace();
    if (header[i] !== '=') {
      current = { scheme: name, params: {} };
      challenges.push(current);
      continue;
    }
    i++;
    skipSpace();
    const value = header[i] === '"' ? quoted() : (token() ?? '');
    if (value === undefined) break;
    // A token68 ending in "=" padding also lands here; it carries nothing a client needs.
    if (current && !(name.toLowerCase() in current.params)) current.params[name.toLowerCase()] = value;
  }
  return challenges;
}

/**
 * The first Bearer or DPoP challenge of a `WWW-Authenticate` value (or of a response's), with the
 * parameters a client acts on; undefined when there is none.
 *
 * @example
 * ```ts
 * import { readResourceChallenge } from '@gatehouse/client';
 * const response = await fetch('https://mcp.example.com/mcp');
 * const asked = readResourceChallenge(response);
 * if (asked?.resourceMetadata) console.log('metadata at', asked.resourceMetadata);
 * ```
 */
export function readResourceChallenge(source: string | Response | null): ResourceChallenge | undefined {
  const header =
    typeof source === 'string' || source === null ? source : source.headers.get('www-authenticate');
  if (!header) return undefined;
  const challenge = parseWwwAuthenticate(header).find((c) => /^(bearer|dpop)$/i.test(c.scheme));
  if (!challenge) return undefined;
  const { params } = challenge;
  const read: ResourceChallenge = { scheme: challenge.scheme };
  if (params.resource_metadata) read.resourceMetadata = params.resource_metadata;
  if (params.scope) read.scope = params.scope;
  if (params.error) read.error = params.error;
  if (params.error_description) read.errorDescription = params.error_description;
  if (params.acr_values) read.acrValues = params.acr_values.split(' ').filter(Boolean);
  if (params.max_age !== undefined && /^\d+$/.test(params.max_age)) read.maxAge = Number(params.max_age);
  return read;
}
