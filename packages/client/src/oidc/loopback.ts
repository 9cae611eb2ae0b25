import { isIPv4 } from 'node:net';

/**
 * True when a host name is loopback: `localhost`, any address in 127.0.0.0/8, or `::1`.
 * `0.0.0.0` is not loopback (it means "every interface").
 *
 * @example
 * ```ts
 * import { isLoopbackHost } from '@gatehouse/client';
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('0.0.0.0'); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host === '::1') return true;
  if (isIPv4(host)) return host.split('.')[0] === '127';
  return false;
}

/**
 * True when a URL may be used without TLS by default: `https:` anywhere, `http:` only on a loopback host.
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
