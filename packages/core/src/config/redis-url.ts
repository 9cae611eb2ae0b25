/**
 * The one check of a Redis URL (`GATEHOUSE_REDIS_URL`, or `@gatehouse/redis`'s `url` option): core
 * validates it where configuration enters, without knowing anything else about Redis. Three
 * topologies: one server, a Redis Cluster (from seed nodes), a Sentinel-managed primary.
 */

/** Where a Redis URL points. */
export type RedisTopology = 'single' | 'cluster' | 'sentinel';

/** One `host:port` of a URL. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** A Redis URL taken apart; `password` is never logged or shown. */
export interface RedisUrlParts {
  readonly topology: RedisTopology;
  readonly tls: boolean;
  /** The server (one), the cluster's seed nodes, or the sentinels. */
  readonly nodes: readonly RedisNodeAddress[];
  /** The first node's host and port. */
  readonly host: string;
  readonly port: number;
  readonly db: number;
  /** The primary's name at the sentinels (`sentinel` only). */
  readonly masterName?: string;
  readonly username?: string;
  readonly password?: string;
}

const SCHEMES: Readonly<Record<string, { topology: RedisTopology; tls: boolean }>> = {
  redis: { topology: 'single', tls: false },
  rediss: { topology: 'single', tls: true },
  'redis+cluster': { topology: 'cluster', tls: false },
  'rediss+cluster': { topology: 'cluster', tls: true },
  'redis+sentinel': { topology: 'sentinel', tls: false },
  'rediss+sentinel': { topology: 'sentinel', tls: true },
};

const FORMS =
  'redis://host:port[/db], rediss://…, redis+cluster://host1:port1,host2:port2,… or redis+sentinel://host1:port1,…/<master-name>';

/**
 * Parses a Redis URL of any topology; returns the parts, or the problem as a string naming the part
 * that is wrong. Problems never quote the URL (it may carry a password).
 *
 * - `redis://[user:password@]host:port[/db]`, `rediss://…` (TLS): one server;
 * - `redis+cluster://[user:password@]host1:port1,host2:port2,…` (`rediss+cluster://`): a cluster;
 * - `redis+sentinel://[user:password@]host1:port1,…/<master-name>[/db]`: the primary the sentinels name.
 *
 * @example
 * ```ts
 * const parts = parseRedisUrl('redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster');
 * if (typeof parts === 'string') throw new Error(`GATEHOUSE_REDIS_URL ${parts}`);
 * parts.topology; // 'sentinel'
 * ```
 */
export function parseRedisUrl(value: unknown): RedisUrlParts | string {
  if (typeof value !== 'string') return 'must be a string';
  const text = value.trim();
  if (text.length === 0) return 'must not be empty';
  const schemeEnd = text.indexOf('://');
  if (schemeEnd < 0) return `must be a URL like ${FORMS}`;
  const scheme = SCHEMES[text.slice(0, schemeEnd).toLowerCase()];
  if (scheme === undefined) {
    return 'must start with redis://, rediss://, redis+cluster://, rediss+cluster:// or redis+sentinel://';
  }
  let rest = text.slice(schemeEnd + 3);
  if (/[?#]/.test(rest)) return 'must not have a query or a fragment';
  // The authority ends at the first "/" after the credentials (a password may contain "/" only encoded).
  const at = rest.lastIndexOf('@', rest.indexOf('/') < 0 ? rest.length : rest.indexOf('/'));
  let username: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const credentials = decodeCredentials(rest.slice(0, at));
    if (typeof credentials === 'string') return credentials;
    ({ username, password } = credentials);
    rest = rest.slice(at + 1);
  }
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  const defaultPort = scheme.topology === 'sentinel' ? 26379 : 6379;
  const list = authority.split(',');
  if (scheme.topology === 'single' && list.length > 1) {
    return 'names several hosts: use redis+cluster:// for a cluster or redis+sentinel:// for Sentinel';
  }
  const nodes: RedisNodeAddress[] = [];
  for (const [i, item] of list.entries()) {
    const node = parseNode(item, defaultPort);
    const which = list.length > 1 ? `host ${i + 1} of the list` : 'the host';
    if (typeof node === 'string') return `${which} ${node}`;
    nodes.push(node);
  }
  let db = 0;
  let masterName: string | undefined;
  const segments = path.split('/').slice(1);
  if (path === '' || path === '/') {
    if (scheme.topology === 'sentinel') return 'must name the primary after the sentinels (/<master-name>)';
  } else if (scheme.topology === 'sentinel') {
    masterName = safeDecode(segments[0]!);
    if (masterName === undefined || masterName.length === 0) {
      return 'must name the primary after the sentinels (/<master-name>)';
    }
    if (segments.length > 2 || (segments.length === 2 && !/^\d{1,5}$/.test(segments[1]!))) {
      return 'must end with /<master-name> and an optional database number (/mymaster/0)';
    }
    if (segments.length === 2) db = Number(segments[1]);
  } else {
    const match = /^\/(\d{1,5})$/.exec(path);
    if (match === null) return 'must end with an optional database number (/0, /1, …)';
    db = Number(match[1]);
    if (scheme.topology === 'cluster' && db !== 0) return 'must not name a database: a cluster has only /0';
  }
  const first = nodes[0]!;
  const parts: { -readonly [K in keyof RedisUrlParts]: RedisUrlParts[K] } = {
    topology: scheme.topology,
    tls: scheme.tls,
    nodes,
    host: first.host,
    port: first.port,
    db,
  };
  if (masterName !== undefined) parts.masterName = masterName;
  if (username) parts.username = username;
  if (password) parts.password = password;
  return parts;
}

function parseNode(item: string, defaultPort: number): RedisNodeAddress | string {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/@]+))(?::(\d*))?$/.exec(item);
  if (item.length === 0) return 'is empty';
  if (match === null) return 'must be host or host:port ([v6 address]:port for IPv6)';
  const host = (match[1] ?? match[2])!;
  if (match[3] === undefined) return { host, port: defaultPort };
  const port = Number(match[3]);
  if (match[3] === '' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    return 'has a port that is not a number from 1 to 65535';
  }
  return { host, port };
}

function decodeCredentials(userinfo: string): { username?: string; password?: string } | string {
  const colon = userinfo.indexOf(':');
  const user = safeDecode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const pass = colon < 0 ? undefined : safeDecode(userinfo.slice(colon + 1));
  if (user === undefined || (colon >= 0 && pass === undefined)) {
    return 'has a user name or password that is not URL-encoded (encode %, @, / and : as %25, %40, %2F, %3A)';
  }
  return { username: user || undefined, password: pass || undefined };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
