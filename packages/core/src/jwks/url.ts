/**
 * Whether `hostname` (as `URL.hostname` gives it) is a loopback host: 127.0.0.0/8, `localhost` or `::1`.
 * `0.0.0.0` is not loopback: it means every interface.
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]' || hostname === '::1') return true;
  // URL parsing normalises IPv4 forms (127.1, 0x7f.1) to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Why `value` may not be used as an issuer or key-set URL, or undefined when it may: it must be an
 * absolute `https://` URL without credentials or fragment; `http://` only on a loopback host.
 */
export function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https:// URL';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'must be an https:// URL (http:// is allowed only on a loopback host)';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.hash) return 'must not contain a fragment';
  return undefined;
}
