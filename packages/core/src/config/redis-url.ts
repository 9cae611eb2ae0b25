/**
 * The one check of a Redis URL (`GATEHOUSE_REDIS_URL`, or `@gatehouse/redis`'s `url` option): core
 * validates it where configuration enters, without knowing anything else about Redis.
 */

/** A Redis URL taken apart; `password` is never logged or shown. */
export interface RedisUrlParts {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
}

/**
 * Parses `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS); returns the parts, or the
 * problem as a string. Problems never quote the URL (it may carry a password).
 *
 * @example
 * ```ts
 * const parts = parseRedisUrl('redis://127.0.0.1:6379/0');
 * if (typeof parts === 'string') throw new Error(`GATEHOUSE_REDIS_URL ${parts}`);
 * ```
 */
export function parseRedisUrl(value: unknown): RedisUrlParts | string {
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim().length === 0) return 'must not be empty';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL like redis://host:port[/db]';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return 'must start with redis:// (or rediss:// for TLS)';
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host.length === 0) return 'must name a host';
  if (url.search || url.hash) return 'must not have a query or a fragment';
  let db = 0;
  if (url.pathname !== '' && url.pathname !== '/') {
    const match = /^\/(\d{1,5})$/.exec(url.pathname);
    if (match === null) return 'must end with an optional database number (/0, /1, …)';
    db = Number(match[1]);
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  const parts: { -readonly [K in keyof RedisUrlParts]: RedisUrlParts[K] } = {
    tls: url.protocol === 'rediss:',
    host,
    port,
    db,
  };
  if (url.username) parts.username = decodeURIComponent(url.username);
  if (url.password) parts.password = decodeURIComponent(url.password);
  return parts;
}
