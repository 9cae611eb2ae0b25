/**
 * Which Redis to talk to, from a URL of any form or the programmatic options that mirror each form:
 * one server, a cluster from its seed nodes, or the primary that sentinels name.
 */
import { parseRedisUrl, type RedisNodeAddress, type RedisTopology } from '@gatehouse/core/state';
import { RedisStateError } from './errors.js';

/** Credentials of the sentinels themselves (Sentinel's own `requirepass`/ACL, not the data nodes'). */
export interface SentinelCredentials {
  readonly username?: string;
  readonly password?: string;
}

/** Where and how to connect, every option checked. */
export interface ResolvedTopology {
  readonly kind: RedisTopology;
  /** The server, the cluster's seed nodes, or the sentinels. */
  readonly nodes: readonly RedisNodeAddress[];
  readonly tls: boolean;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly masterName?: string;
  readonly sentinelCredentials?: SentinelCredentials;
  /** The URL of one server, as given (single only). */
  readonly url?: string;
}

/** The topology options of `createRedisState`: exactly one of `url`, `cluster` or `sentinel`. */
export interface TopologyOptions {
  /**
   * `GATEHOUSE_REDIS_URL`: `redis://[user:password@]host:port[/db]` (`rediss://` for TLS) for one server,
   * `redis+cluster://[user:password@]host1:port1,host2:port2,…` (`rediss+cluster://`) for a cluster, or
   * `redis+sentinel://[user:password@]host1:port1,…/<master-name>` for the primary sentinels name.
   */
  readonly url?: string;
  /** A cluster from its seed nodes (`host:port`): what `redis+cluster://` says. */
  readonly cluster?: { readonly nodes: readonly string[] };
  /** The primary `masterName` that these sentinels (`host:port`) name: what `redis+sentinel://` says. */
  readonly sentinel?: { readonly nodes: readonly string[]; readonly masterName: string };
  /** The sentinels' own credentials, when they have any (the URL's are the data nodes'). */
  readonly sentinelCredentials?: SentinelCredentials;
  /** The data nodes' user and password, for `cluster` and `sentinel` (a URL carries its own). */
  readonly username?: string;
  readonly password?: string;
  /** TLS to the data nodes, for `cluster` and `sentinel` (`rediss…://` in a URL). */
  readonly tls?: boolean;
}

/**
 * Resolves and checks the topology options; throws a {@link RedisStateError} naming the option and the
 * part that is wrong (never a password).
 *
 * @example
 * ```ts
 * resolveTopology({ sentinel: { nodes: ['s1:26379', 's2:26379'], masterName: 'mymaster' } }).kind; // 'sentinel'
 * ```
 */
export function resolveTopology(options: TopologyOptions): ResolvedTopology {
  const given = (['url', 'cluster', 'sentinel'] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw new RedisStateError('give exactly one of "url", "cluster" or "sentinel"');
  }
  if (options.sentinelCredentials !== undefined && typeof options.sentinelCredentials !== 'object') {
    throw new RedisStateError('"sentinelCredentials" must be { username?, password? }');
  }
  if (options.url !== undefined) {
    const parts = parseRedisUrl(options.url);
    if (typeof parts === 'string') throw new RedisStateError(`"url" ${parts}`);
    if (options.sentinelCredentials !== undefined && parts.topology !== 'sentinel') {
      throw new RedisStateError('"sentinelCredentials" is only for a redis+sentinel:// URL');
    }
    return {
      kind: parts.topology,
      nodes: parts.nodes,
      tls: parts.tls,
      db: parts.db,
      username: parts.username,
      password: parts.password,
      masterName: parts.masterName,
      sentinelCredentials: options.sentinelCredentials,
      url: parts.topology === 'single' ? options.url.trim() : undefined,
    };
  }
  const field = options.cluster !== undefined ? 'cluster' : 'sentinel';
  const list = (options.cluster ?? options.sentinel)!.nodes;
  if (!Array.isArray(list) || list.length === 0) {
    throw new RedisStateError(`"${field}.nodes" must be a non-empty list of "host:port"`);
  }
  const scheme = field === 'cluster' ? 'redis+cluster' : 'redis+sentinel';
  const nodes = list.map((node, i) => {
    const parts = typeof node === 'string' ? parseRedisUrl(`${scheme}://${node}/x`) : 'must be a string';
    if (typeof parts === 'string' || parts.nodes.length !== 1) {
      throw new RedisStateError(`"${field}.nodes[${i}]" must be "host:port"`);
    }
    return parts.nodes[0]!;
  });
  if (options.sentinel !== undefined) {
    const name = options.sentinel.masterName;
    if (typeof name !== 'string' || name.length === 0) {
      throw new RedisStateError('"sentinel.masterName" must name the primary the sentinels watch');
    }
  }
  return {
    kind: field,
    nodes,
    tls: options.tls === true,
    db: 0,
    username: options.username,
    password: options.password,
    masterName: options.sentinel?.masterName,
    sentinelCredentials: options.sentinelCredentials,
  };
}
