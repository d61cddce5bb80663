import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePhpConfig } from '../src/index.js';
import { redisFromPhp } from '../src/php-redis.js';
import { configError } from './temp-dir.js';

const redisFor = (entries: string) =>
  redisFromPhp(parsePhpConfig(`<?php $CONFIG = [${entries}];`), 'config.php');
const locationFor = (entries: string) => redisFor(entries).location;

const plain = { cluster: false, db: 0, tls: false };
const local = { ...plain, nodes: [{ host: '127.0.0.1', port: 6379 }] };

describe('redisFromPhp', () => {
  it('defaults to 127.0.0.1:6379, db 0, when config.php has no redis entry', () => {
    assert.deepEqual(redisFor(''), { location: local, tls: {} });
    assert.deepEqual(redisFor(`'redis' => []`), { location: local, tls: {} });
  });

  it('reads host, port, dbindex, user and password', () => {
    assert.deepEqual(
      locationFor(
        `'redis' => ['host' => 'redis', 'dbindex' => 1, 'port' => 1234, 'user' => 'name', 'password' => 'moresecret']`,
      ),
      {
        ...plain,
        nodes: [{ host: 'redis', port: 1234 }],
        db: 1,
        username: 'name',
        password: 'moresecret',
      },
    );
    assert.deepEqual(
      locationFor(`'redis' => ['host' => 'redis', 'port' => '6380', 'dbindex' => '2']`),
      { ...plain, nodes: [{ host: 'redis', port: 6380 }], db: 2 },
    );
  });

  it('treats empty strings and port 0 as unset, and localhost as 127.0.0.1', () => {
    assert.deepEqual(
      locationFor(
        `'redis' => ['host' => 'localhost', 'port' => 0, 'password' => '', 'user' => '']`,
      ),
      local,
    );
    assert.deepEqual(locationFor(`'redis' => ['host' => '', 'port' => '']`), local);
  });

  it('reads a port from host:port when no port key is set', () => {
    assert.deepEqual(locationFor(`'redis' => ['host' => 'cache:6390']`), {
      ...plain,
      nodes: [{ host: 'cache', port: 6390 }],
    });
    assert.deepEqual(locationFor(`'redis' => ['host' => 'cache:6390', 'port' => 7000]`), {
      ...plain,
      nodes: [{ host: 'cache', port: 7000 }],
    });
  });

  it('uses a host starting with / as a Unix socket, where TLS means nothing', () => {
    assert.deepEqual(
      redisFor(
        `'redis' => ['host' => '/run/redis/redis.sock', 'port' => 0, 'password' => 'pw', 'ssl_context' => ['cafile' => '/ca.pem']]`,
      ),
      {
        location: { ...plain, nodes: [{ path: '/run/redis/redis.sock' }], password: 'pw' },
        tls: {},
      },
    );
  });

  it('turns on TLS for tls:// and rediss:// hosts', () => {
    assert.deepEqual(redisFor(`'redis' => ['host' => 'tls://cache.example.com', 'port' => 6380]`), {
      location: { ...plain, nodes: [{ host: 'cache.example.com', port: 6380 }], tls: true },
      tls: {},
    });
    assert.deepEqual(locationFor(`'redis' => ['host' => 'rediss://localhost']`), {
      ...local,
      tls: true,
    });
  });

  it('turns on TLS for an ssl_context array and reads its files and switches', () => {
    assert.deepEqual(
      redisFor(
        `'redis' => ['host' => 'cache', 'ssl_context' => ['local_cert' => '/certs/redis.crt', 'local_pk' => '/certs/redis.key', 'cafile' => '/certs/ca.crt', 'verify_peer_name' => false]]`,
      ),
      {
        location: { ...plain, nodes: [{ host: 'cache', port: 6379 }], tls: true },
        tls: {
          certPath: '/certs/redis.crt',
          keyPath: '/certs/redis.key',
          caPath: '/certs/ca.crt',
          dontValidateHostname: true,
        },
      },
    );
    assert.deepEqual(redisFor(`'redis' => ['ssl_context' => []]`), {
      location: { ...local, tls: true },
      tls: {},
    });
    assert.deepEqual(
      redisFor(`'redis' => ['ssl_context' => ['cafile' => '', 'verify_peer_name' => true]]`).tls,
      {},
      'an empty path and a true switch change nothing',
    );
  });

  it("skips verification for verify_peer false, and for upstream's misspelt 'verify_peer '", () => {
    for (const key of ['verify_peer', 'verify_peer ']) {
      assert.deepEqual(redisFor(`'redis' => ['ssl_context' => ['${key}' => false]]`).tls, {
        insecure: true,
      });
      assert.deepEqual(redisFor(`'redis' => ['ssl_context' => ['${key}' => 0]]`).tls, {
        insecure: true,
      });
    }
    assert.deepEqual(redisFor(`'redis' => ['ssl_context' => ['verify_peer' => true]]`).tls, {});
  });

  it('reads redis.cluster seeds in their given order, with shared credentials and TLS', () => {
    assert.deepEqual(
      redisFor(
        `'redis.cluster' => ['seeds' => ['db2:6380', 'tls://localhost:6381', 'db1'], 'password' => 'xxx', 'timeout' => 0.0, 'read_timeout' => 0.0, 'failover_mode' => \\RedisCluster::FAILOVER_ERROR, 'ssl_context' => ['cafile' => '/certs/ca.crt']]`,
      ),
      {
        location: {
          nodes: [
            { host: 'db2', port: 6380 },
            { host: '127.0.0.1', port: 6381 },
            { host: 'db1', port: 6379 },
          ],
          cluster: true,
          password: 'xxx',
          db: 0,
          tls: true,
        },
        tls: { caPath: '/certs/ca.crt' },
      },
    );
    assert.deepEqual(
      locationFor(`'redis.cluster' => ['seeds' => ['tls://a:7000', 'rediss://b:7001']]`),
      {
        nodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
        cluster: true,
        db: 0,
        tls: true,
      },
    );
    assert.equal(locationFor(`'redis.cluster' => ['seeds' => ['a:7000']]`).cluster, true);
  });

  it('prefers a non-empty notify_push_redis over redis and redis.cluster', () => {
    const both = `'redis' => ['host' => 'shared'], 'notify_push_redis' => ['host' => 'push', 'password' => 'p']`;
    assert.deepEqual(locationFor(both), {
      ...plain,
      nodes: [{ host: 'push', port: 6379 }],
      password: 'p',
    });
    const cluster = `'redis.cluster' => ['seeds' => ['db1:6380']], 'notify_push_redis' => ['host' => 'push']`;
    assert.deepEqual(locationFor(cluster), { ...plain, nodes: [{ host: 'push', port: 6379 }] });
    assert.deepEqual(locationFor(`'redis' => ['host' => 'shared'], 'notify_push_redis' => []`), {
      ...plain,
      nodes: [{ host: 'shared', port: 6379 }],
    });
    assert.equal(
      locationFor(`'redis' => ['host' => 'shared'], 'redis.cluster' => ['seeds' => ['a:1']]`)
        .cluster,
      true,
      'redis.cluster wins over redis, as in Nextcloud',
    );
  });

  it('stops with a clear error naming the key of what is invalid', () => {
    const cases: [string, string, RegExp][] = [
      [`'notify_push_redis' => ['host' => 'x', 'port' => 99999]`, 'notify_push_redis.port', /port/],
      [`'redis' => ['host' => 'x', 'port' => 'abc']`, 'redis.port', /redis\.port/],
      [`'redis' => ['host' => 'x:abc']`, 'redis.host', /redis\.host/],
      [`'redis' => ['dbindex' => -1]`, 'redis.dbindex', /redis\.dbindex/],
      [`'redis' => 'localhost'`, 'redis', /expected an array/],
      [`'redis' => ['ssl_context' => 'yes']`, 'redis.ssl_context', /expected an array/],
      [
        `'redis' => ['ssl_context' => ['cafile' => 42]]`,
        'redis.ssl_context.cafile',
        /expected a file path/,
      ],
      [
        `'redis' => ['ssl_context' => ['verify_peer_name' => 'no']]`,
        'redis.ssl_context.verify_peer_name',
        /expected true or false/,
      ],
      [`'redis.cluster' => ['seeds' => 'a:1']`, 'redis.cluster.seeds', /expected an array/],
      [`'redis.cluster' => ['seeds' => []]`, 'redis.cluster.seeds', /at least one/],
      [`'redis.cluster' => ['password' => 'x']`, 'redis.cluster.seeds', /expected an array/],
      [`'redis.cluster' => ['seeds' => ['a:x']]`, 'redis.cluster.seeds', /"a:x"/],
      [`'redis.cluster' => ['seeds' => [7000]]`, 'redis.cluster.seeds.0', /"host:port"/],
      [
        `'redis.cluster' => ['seeds' => ['a:1', '/run/redis.sock']]`,
        'redis.cluster.seeds',
        /not a Unix socket/,
      ],
      [
        `'redis.cluster' => ['seeds' => ['tls://a:1', 'b:2']]`,
        'redis.cluster.seeds',
        /must use TLS, or none/,
      ],
      [
        `'redis.cluster' => ['seeds' => ['a:1'], 'dbindex' => 2]`,
        'redis.cluster.dbindex',
        /only database 0/,
      ],
    ];
    for (const [entries, key, message] of cases) {
      assert.throws(() => redisFor(entries), configError(key, message), entries);
    }
  });
});
