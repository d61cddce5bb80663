import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePhpConfig } from '../src/index.js';
import { redisFromPhp } from '../src/php-redis.js';
import { configError } from './temp-dir.js';

const redisFor = (entries: string) =>
  redisFromPhp(parsePhpConfig(`<?php $CONFIG = [${entries}];`), 'config.php');

describe('redisFromPhp', () => {
  it('defaults to 127.0.0.1:6379, db 0, when config.php has no redis entry', () => {
    assert.deepEqual(redisFor(''), { host: '127.0.0.1', port: 6379, db: 0 });
    assert.deepEqual(redisFor(`'redis' => []`), { host: '127.0.0.1', port: 6379, db: 0 });
  });

  it('reads host, port, dbindex, user and password', () => {
    assert.deepEqual(
      redisFor(
        `'redis' => ['host' => 'redis', 'dbindex' => 1, 'port' => 1234, 'user' => 'name', 'password' => 'moresecret']`,
      ),
      { host: 'redis', port: 1234, db: 1, username: 'name', password: 'moresecret' },
    );
    assert.deepEqual(
      redisFor(`'redis' => ['host' => 'redis', 'port' => '6380', 'dbindex' => '2']`),
      {
        host: 'redis',
        port: 6380,
        db: 2,
      },
    );
  });

  it('treats empty strings and port 0 as unset, and localhost as 127.0.0.1', () => {
    assert.deepEqual(
      redisFor(`'redis' => ['host' => 'localhost', 'port' => 0, 'password' => '', 'user' => '']`),
      { host: '127.0.0.1', port: 6379, db: 0 },
    );
    assert.deepEqual(redisFor(`'redis' => ['host' => '', 'port' => '']`), {
      host: '127.0.0.1',
      port: 6379,
      db: 0,
    });
  });

  it('reads a port from host:port when no port key is set', () => {
    assert.deepEqual(redisFor(`'redis' => ['host' => 'cache:6390']`), {
      host: 'cache',
      port: 6390,
      db: 0,
    });
    assert.deepEqual(redisFor(`'redis' => ['host' => 'cache:6390', 'port' => 7000]`), {
      host: 'cache',
      port: 7000,
      db: 0,
    });
  });

  it('uses a host starting with / as a Unix socket', () => {
    assert.deepEqual(
      redisFor(`'redis' => ['host' => '/run/redis/redis.sock', 'port' => 0, 'password' => 'pw']`),
      {
        path: '/run/redis/redis.sock',
        db: 0,
        password: 'pw',
      },
    );
  });

  it('turns on TLS for tls:// and rediss:// hosts', () => {
    assert.deepEqual(redisFor(`'redis' => ['host' => 'tls://cache.example.com', 'port' => 6380]`), {
      host: 'cache.example.com',
      port: 6380,
      db: 0,
      tls: true,
    });
    assert.deepEqual(redisFor(`'redis' => ['host' => 'rediss://localhost']`), {
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      tls: true,
    });
  });

  it('prefers a non-empty notify_push_redis over redis and redis.cluster', () => {
    const both = `'redis' => ['host' => 'shared'], 'notify_push_redis' => ['host' => 'push', 'password' => 'p']`;
    assert.deepEqual(redisFor(both), { host: 'push', port: 6379, db: 0, password: 'p' });
    const cluster = `'redis.cluster' => ['seeds' => ['db1:6380']], 'notify_push_redis' => ['host' => 'push']`;
    assert.deepEqual(redisFor(cluster), { host: 'push', port: 6379, db: 0 });
    assert.deepEqual(redisFor(`'redis' => ['host' => 'shared'], 'notify_push_redis' => []`), {
      host: 'shared',
      port: 6379,
      db: 0,
    });
  });

  it('stops with a clear error for what is not supported yet or invalid', () => {
    const cases: [string, string, RegExp][] = [
      [
        `'redis.cluster' => ['seeds' => ['db1:6380', 'db2:6380'], 'failover_mode' => \\RedisCluster::FAILOVER_ERROR]`,
        'redis.cluster',
        /Redis Cluster \(redis\.cluster in config\.php\) is not supported yet/,
      ],
      [
        `'redis' => ['host' => 'tls://cache', 'ssl_context' => ['cafile' => '/ca.crt']]`,
        'redis.ssl_context',
        /redis\.ssl_context .*not supported yet/,
      ],
      [`'notify_push_redis' => ['host' => 'x', 'port' => 99999]`, 'notify_push_redis.port', /port/],
      [`'redis' => ['host' => 'x', 'port' => 'abc']`, 'redis.port', /redis\.port/],
      [`'redis' => ['host' => 'x:abc']`, 'redis.host', /redis\.host/],
      [`'redis' => ['dbindex' => -1]`, 'redis.dbindex', /redis\.dbindex/],
      [`'redis' => 'localhost'`, 'redis', /expected an array/],
    ];
    for (const [entries, key, message] of cases) {
      assert.throws(() => redisFor(entries), configError(key, message), entries);
    }
  });
});
