import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../src/state/index.js';

describe('parseRedisUrl: the three topologies of GATEHOUSE_REDIS_URL', () => {
  it.each([
    ['redis://127.0.0.1:6379', { topology: 'single', tls: false, host: '127.0.0.1', port: 6379, db: 0 }],
    [
      'rediss://u:p%40ss@cache.example:6380/2',
      { topology: 'single', tls: true, db: 2, username: 'u', password: 'p@ss' },
    ],
    ['redis://[::1]:7000', { host: '::1', port: 7000 }],
    ['redis://cache', { host: 'cache', port: 6379 }],
    [
      'redis+cluster://gh:secret@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002',
      {
        topology: 'cluster',
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
          { host: '::1', port: 7002 },
        ],
        username: 'gh',
        password: 'secret',
      },
    ],
    ['rediss+cluster://a:7000/0', { topology: 'cluster', tls: true, db: 0 }],
    [
      'redis+sentinel://s1:26379,s2,s3:26380/mymaster',
      {
        topology: 'sentinel',
        masterName: 'mymaster',
        nodes: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
          { host: 's3', port: 26380 },
        ],
      },
    ],
    ['redis+sentinel://:pw@s1/my%20master/3', { masterName: 'my master', db: 3, password: 'pw' }],
  ])('accepts %s', (url, expected) => {
    expect(parseRedisUrl(url)).toMatchObject(expected);
  });

  it.each([
    ['http://user:s3cret@cache:6379', /must start with redis:\/\//],
    ['cache:6379', /must be a URL like/],
    ['redis://cache:6379/x', /database number/],
    ['redis://cache:99999', /the host has a port that is not a number/],
    ['redis://a:1,b:2', /names several hosts: use redis\+cluster/],
    ['redis+cluster://a:7000,,b:7001', /host 2 of the list is empty/],
    ['redis+cluster://a:7000,b:x', /host 2 of the list must be host or host:port/],
    ['redis+cluster://a:7000/1', /a cluster has only \/0/],
    ['redis+sentinel://s1:26379,s2:26379', /must name the primary/],
    ['redis+sentinel://s1:26379/mymaster/x', /master-name> and an optional database/],
    ['redis://user:s3cret@cache:6379?x=1', /query or a fragment/],
    ['redis://user:%zz@cache:6379', /not URL-encoded/],
    ['', /must not be empty/],
  ])('refuses %s, naming the part that is wrong and never the password', (url, problem) => {
    const parts = parseRedisUrl(url);
    expect(parts).toMatch(problem);
    expect(String(parts)).not.toContain('s3cret');
  });
});
