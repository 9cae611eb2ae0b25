import { isLoopbackHost } from '@gatehouse/core';

/**
 * True when a URL may be used without TLS by default: `https:` anywhere, `http:` only on a loopback host
 * (127.0.0.0/8, `localhost`, `::1`, as `@gatehouse/core`'s `isLoopbackHost` decides for every package).
 *
 * @example
 * ```ts
 * import { isSecureOrLoopbackUrl } from '@gatehouse/client';
 * isSecureOrLoopbackUrl(new URL('http://127.0.0.1:4000')); // true
 * isSecureOrLoopbackUrl(new URL('http://idp.example')); // false
 * ```
 */
export function isSecureOrLoopbackUrl(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}
