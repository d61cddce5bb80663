import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidValueError } from '../src/index.js';
import { parseRedisUrl } from '../src/redis-url.js';

describe('parseRedisUrl', () => {
  const single = { cluster: false, db: 0, tls: false };

  it('reads redis:// URLs with credentials, port and database', () => {
    assert.deepEqual(parseRedisUrl('redis://cache'), {
      ...single,
      nodes: [{ host: 'cache', port: 6379 }],
    });
    assert.deepEqual(parseRedisUrl('redis://user:p%40ss@cache:6380/3'), {
      ...single,
      nodes: [{ host: 'cache', port: 6380 }],
      db: 3,
      username: 'user',
      password: 'p@ss',
    });
    assert.deepEqual(parseRedisUrl('redis://:secret@127.0.0.1/'), {
      ...single,
      nodes: [{ host: '127.0.0.1', port: 6379 }],
      password: 'secret',
    });
    assert.deepEqual(parseRedisUrl('redis://[::1]:6390'), {
      ...single,
      nodes: [{ host: '::1', port: 6390 }],
    });
  });

  it('turns on TLS for rediss://, and drops the #insecure fragment as upstream does', () => {
    const expected = { ...single, nodes: [{ host: 'cache.example.com', port: 6380 }], db: 1 };
    assert.deepEqual(parseRedisUrl('rediss://cache.example.com:6380/1'), {
      ...expected,
      tls: true,
    });
    assert.deepEqual(parseRedisUrl('rediss://cache.example.com:6380/1#insecure'), {
      ...expected,
      tls: true,
    });
  });

  it('reads Unix socket URLs with an optional db, user and pass', () => {
    assert.deepEqual(parseRedisUrl('redis+unix:///run/redis.sock'), {
      ...single,
      nodes: [{ path: '/run/redis.sock' }],
    });
    assert.deepEqual(parseRedisUrl('unix:///run/redis.sock?db=2&user=u&pass=p'), {
      ...single,
      nodes: [{ path: '/run/redis.sock' }],
      db: 2,
      username: 'u',
      password: 'p',
    });
  });

  it('rejects other forms with a reason that never contains the password', () => {
    const cases: [string, RegExp][] = [
      ['not a url', /not a valid URL/],
      ['http://cache', /unsupported scheme "http:"/],
      ['redis:///0', /missing host/],
      ['redis://:hunter2@cache/abc', /database number/],
      ['redis://:hunter2@cache?protocol=resp3', /query parameters/],
      ['rediss://:hunter2@cache#verify=no', /fragments other than #insecure/],
      ['unix://host/run/redis.sock', /takes no host/],
      ['unix:///run/redis.sock?pass=hunter2&timeout=1', /unknown query parameter "timeout"/],
      ['redis+unix://', /missing socket path/],
    ];
    for (const [url, reason] of cases) {
      assert.throws(
        () => parseRedisUrl(url),
        (error: unknown) =>
          error instanceof InvalidValueError &&
          reason.test(error.reason) &&
          !error.reason.includes('hunter2'),
        url,
      );
    }
  });
});
