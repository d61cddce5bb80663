import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidValueError } from '../src/index.js';
import { clusterOf, type RedisLocation } from '../src/redis-location.js';
import { parseRedisUrl } from '../src/redis-url.js';

const urls = (...texts: string[]): RedisLocation[] => texts.map(parseRedisUrl);

describe('clusterOf', () => {
  it('leaves one URL a single server', () => {
    const [one] = urls('redis://cache/2');
    assert.ok(one);
    assert.equal(clusterOf([one]), one);
  });

  it('joins two or more URLs into a cluster with the credentials and TLS of the first', () => {
    assert.deepEqual(
      clusterOf(urls('rediss://push:s3cret@a:7000', 'rediss://b:7001', 'rediss://push@c:7002')),
      {
        nodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
          { host: 'c', port: 7002 },
        ],
        cluster: true,
        username: 'push',
        password: 's3cret',
        db: 0,
        tls: true,
      },
    );
  });

  it('keeps a location that is already a cluster of one seed a cluster', () => {
    const [seed] = urls('redis://a:7000');
    assert.ok(seed);
    assert.equal(clusterOf([{ ...seed, cluster: true }]).cluster, true);
  });

  it('refuses nodes that cannot form one cluster, never naming a password', () => {
    const cases: [RedisLocation[], RegExp][] = [
      [urls('redis://a:7000', 'unix:///run/redis.sock'), /not a Unix socket/],
      [urls('redis://a:7000/1', 'redis://b:7001'), /only database 0/],
      [urls('redis://a:7000', 'redis://b:7001/2'), /only database 0/],
      [urls('rediss://a:7000', 'redis://b:7001'), /must use TLS, or none/],
      [urls('redis://:hunter2@a:7000', 'redis://:hunter3@b:7001'), /same user and password/],
      [urls('redis://a:7000', 'redis://other@b:7001'), /same user and password/],
      [[], /no Redis Cluster node/],
    ];
    for (const [locations, reason] of cases) {
      assert.throws(
        () => clusterOf(locations),
        (error: unknown) =>
          error instanceof InvalidValueError &&
          reason.test(error.reason) &&
          !error.reason.includes('hunter'),
        String(reason),
      );
    }
  });
});
