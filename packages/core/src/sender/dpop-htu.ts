// RFC 3986 §2.3 unreserved characters: their percent-encoded form is the same URI (§6.2.2.2).
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Normalises an absolute `http(s)` URL for DPoP `htu` comparison (RFC 9449 §4.3 check 9): syntax-based
 * normalisation (RFC 3986 §6.2.2: case of scheme, host and percent-encodings, unreserved characters
 * decoded, dot segments removed) and scheme-based (§6.2.3: default port dropped, empty path `/`), with
 * the query and fragment removed. Undefined when `value` is not such a URL.
 *
 * @example
 * ```ts
 * normalizeHtu('HTTPS://API.example.com:443/a/./b/%7euser?x=1#f'); // 'https://api.example.com/a/b/~user'
 * ```
 */
export function normalizeHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.search = '';
  url.hash = '';
  if (url.pathname.includes('%')) url.pathname = normalizePercentEncoding(url.pathname);
  return url.href;
}

/**
 * The `htu` a proof for this request must name: the configured public URL (origin and optional path
 * prefix, no trailing slash) followed by the path of the request target, never the `Host` header. An
 * absolute-form target (`GET http://host/path`) contributes only its path.
 */
export function requestHtuBase(publicUrl: string, target: string): string {
  let path = target;
  if (path.charCodeAt(0) !== 47 /* / */) {
    try {
      path = new URL(target).pathname;
    } catch {
      path = '/';
    }
  }
  const end = firstOf(path, '?', '#');
  return publicUrl + (end === -1 ? path : path.slice(0, end));
}

/**
 * Whether a proof's `htu` names the request's URL: equal strings once query and fragment are cut off
 * (the common case, no parsing), or equal after {@link normalizeHtu}.
 */
export function htuMatches(htu: string, expectedBase: string): boolean {
  const end = firstOf(htu, '?', '#');
  const base = end === -1 ? htu : htu.slice(0, end);
  if (base === expectedBase) return true;
  const normalized = normalizeHtu(base);
  return normalized !== undefined && normalized === normalizeHtu(expectedBase);
}

/**
 * Checks and normalises a configured public URL (`GATEHOUSE_PUBLIC_URL`): an absolute `http(s)` URL
 * without credentials, query or fragment; the trailing slash of its path is dropped. Returns the problem
 * as a string when it is not usable.
 */
export function normalizePublicUrl(value: string): { url: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'must be an http(s) URL' };
  if (url.username || url.password) return { problem: 'must not contain credentials' };
  if (url.search || value.includes('?')) return { problem: 'must not contain a query' };
  if (url.hash || value.includes('#')) return { problem: 'must not contain a fragment' };
  const path = url.pathname.replace(/\/+$/, '');
  return { url: `${url.protocol}//${url.host}${path}` };
}

function normalizePercentEncoding(path: string): string {
  return path.replace(/%[0-9a-fA-F]{2}/g, (encoded) => {
    const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
    return UNRESERVED.test(char) ? char : encoded.toUpperCase();
  });
}

function firstOf(value: string, a: string, b: string): number {
  const i = value.indexOf(a);
  const j = value.indexOf(b);
  return i === -1 ? j : j === -1 ? i : Math.min(i, j);
}
