// The gateway against every Redis topology an admin may run (reference/notify_push.md §3.4), each
// on real redis-server processes: TLS with client certificates and relaxed checks, a Unix socket,
// ACL users, database indexes, config.php's notify_push_redis and a Redis Cluster. For each, a
// client gets its notify_file, /readyz is 200 and the self-test keys go through the same Redis.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  captureLogs,
  freePort,
  type LogLine,
  type RedisClusterProcess,
  type RedisServerProcess,
  startRedisCluster,
  startRedisServer,
  until,
} from '@gw/testkit';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { connectAuth, type Stack, type StackOptions, startStack } from './stack.js';

const alice = { uid: 'alice', password: 'alice-pw' };
const WARN = 40;

const configDir = mkdtempSync(join(tmpdir(), 'gw-topologies-'));
after(() => rmSync(configDir, { recursive: true, force: true }));

/** A Nextcloud config.php with `entries` (PHP) besides the URL; returns its path. */
function configPhp(name: string, entries: string): string {
  const path = join(configDir, `${name}.config.php`);
  writeFileSync(
    path,
    `<?php $CONFIG = ['overwrite.cli.url' => 'http://cloud.invalid', ${entries}];`,
  );
  return path;
}

const readyz = async (stack: Stack) => (await fetch(`${stack.gateway.url}/readyz`)).status;

/**
 * What a user and `occ notify_push:self-test` see through the topology: /readyz 200, a
 * notify_file after a storage update, the test-token key (set with `keys`, a client of the same
 * Redis) guarding /test/cookie, and `notify_query "metrics"` storing notify_push_metrics.
 */
async function assertWorks(stack: Stack, keys: Redis | Cluster): Promise<void> {
  assert.equal(await readyz(stack), 200);

  const client = await connectAuth(stack, alice.uid, alice.password);
  await stack.nextcloud.writeFile(alice.uid, 'files/report.txt', String(Date.now()));
  assert.equal(await client.next(3_000), 'notify_file');
  client.close();

  const token = `token-${Date.now()}`;
  const cookie = 1 + Math.floor(Math.random() * 2 ** 30);
  await keys.set('test-token', token);
  await stack.nextcloud.publish('notify_test_cookie', cookie);
  const cookieUrl = `${stack.gateway.url}/test/cookie`;
  const body = await eventually(
    async () => (await fetch(cookieUrl, { headers: { token } })).text(),
    (text) => text === String(cookie),
  );
  assert.equal(body, String(cookie), '/test/cookie with the token read from this Redis');

  await keys.del('notify_push_metrics');
  await stack.nextcloud.publish('notify_query', '"metrics"');
  const metrics = await eventually(
    () => keys.get('notify_push_metrics'),
    (value) => value !== null,
  );
  assert.ok(metrics !== null, 'notify_push_metrics written');
  assert.equal(typeof JSON.parse(metrics).events_received, 'number');
}

/** Reads until `done` holds, for up to about 2 s; returns the last value read. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 200 && !done(value); i++) {
    await sleep(10);
    value = await read();
  }
  return value;
}

/** A client for keys, failing at once instead of retrying. */
function keyClient(options: RedisOptions): Redis {
  const client = new Redis({ ...options, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  return client;
}

/** Starts a stack on `options`, runs `check`, and always closes what it opened. */
async function withStack(
  options: StackOptions,
  check: (stack: Stack) => Promise<void>,
): Promise<void> {
  const stack = await startStack({ users: [alice], ...options });
  try {
    await check(stack);
  } finally {
    await stack.close();
  }
}

/** The warnings and errors logged so far, as `msg: reason` lines. */
const problems = (lines: LogLine[]) =>
  lines
    .filter((line) => line.level >= WARN)
    .map((line) => `${line.component}: ${line.msg}: ${String(line.reason ?? line.err ?? '')}`);

describe('Redis over TLS', () => {
  let mutual: RedisServerProcess;
  let otherName: RedisServerProcess;

  before(async () => {
    [mutual, otherName] = await Promise.all([
      startRedisServer({ tls: { authClients: true } }),
      startRedisServer({ tls: { serverNames: ['redis.invalid'] } }),
    ]);
  });
  after(async () => {
    await Promise.all([mutual.stop(), otherName.stop()]);
  });

  it('works with rediss://, a private CA and a client certificate the server requires', async () => {
    const files = mutual.certificates;
    assert.ok(files);
    const keys = keyClient(mutual.options);
    // localhost, not 127.0.0.1: the name is checked against the certificate, and sent as SNI.
    const env = {
      REDIS_URL: `rediss://localhost:${mutual.port}`,
      REDIS_TLS_CA: files.caPath,
      REDIS_TLS_CERT: files.clientCertPath,
      REDIS_TLS_KEY: files.clientKeyPath,
    };
    await withStack({ redis: mutual, env }, (stack) => assertWorks(stack, keys));
    keys.disconnect();
  });

  it('works with REDIS_TLS_INSECURE=1 against a certificate nobody trusts', async () => {
    const keys = keyClient(otherName.options);
    const env = { REDIS_URL: otherName.url, REDIS_TLS_INSECURE: '1' };
    await withStack({ redis: otherName, env }, (stack) => assertWorks(stack, keys));
    keys.disconnect();
  });

  it('works with REDIS_TLS_DONT_VALIDATE_HOSTNAME=1 against a certificate for another name', async () => {
    const keys = keyClient(otherName.options);
    const env = {
      REDIS_URL: otherName.url,
      REDIS_TLS_CA: otherName.certificates?.caPath,
      REDIS_TLS_DONT_VALIDATE_HOSTNAME: '1',
    };
    await withStack({ redis: otherName, env }, (stack) => assertWorks(stack, keys));
    keys.disconnect();
  });

  it('refuses a certificate its CA did not sign: not ready, the cause logged once, no crash', async () => {
    const { logger, lines } = captureLogs();
    const env = {
      REDIS_URL: otherName.url,
      REDIS_TLS_CA: mutual.certificates?.caPath,
      REDIS_TLS_DONT_VALIDATE_HOSTNAME: '1',
    };
    await withStack({ redis: otherName, env, logger }, async (stack) => {
      const components = () => problems(lines).map((line) => line.split(':')[0]);
      await until(() => components().includes('self-test'), 'the start-up self-test to fail');
      await sleep(1_000); // several more connection attempts, which must not log again
      assert.equal(await readyz(stack), 503);
      assert.equal((await fetch(`${stack.gateway.url}/livez`)).status, 200);
      // The subscriber, the key link, the start-up self-test and the webhook queue's and
      // worker's links each name the cause once.
      assert.deepEqual(components().sort(), [
        'ingest',
        'redis',
        'self-test',
        'webhooks',
        'webhooks',
      ]);
      for (const line of problems(lines)) {
        assert.match(line, /self-signed certificate in certificate chain$/);
      }
      assert.equal(stack.gateway.ingest.state, 'down');
    });
  });
});

describe('Redis on a Unix socket', () => {
  it('works with redis+unix:// and ?db=3, the keys in database 3', async () => {
    const server = await startRedisServer({ unixSocket: true });
    const socket = { path: server.socketPath, db: 3 };
    const keys = keyClient(socket);
    const db0 = keyClient({ path: server.socketPath });
    try {
      const env = { REDIS_URL: `redis+unix://${server.socketPath}?db=3` };
      await withStack({ redis: server, nextcloudRedis: socket, env }, async (stack) => {
        await assertWorks(stack, keys);
        assert.equal(await db0.get('notify_push_metrics'), null, 'nothing in database 0');
      });
    } finally {
      keys.disconnect();
      db0.disconnect();
      await server.stop();
    }
  });
});

describe('Redis with ACL users', () => {
  let server: RedisServerProcess;
  const push = { username: 'push', password: 'push-s3cret' };

  before(async () => {
    server = await startRedisServer();
    const admin = keyClient(server.options);
    await admin.call(
      'ACL',
      'SETUSER',
      push.username,
      'on',
      `>${push.password}`,
      '~*',
      '&*',
      '+@all',
    );
    // Without the default user, only a client that logs in as push gets anywhere.
    await admin.call('ACL', 'SETUSER', 'default', 'off');
    admin.disconnect();
  });
  after(() => server.stop());

  it('works with user:password in the URL', async () => {
    const keys = keyClient({ ...server.options, ...push });
    const env = { REDIS_URL: `redis://${push.username}:${push.password}@127.0.0.1:${server.port}` };
    await withStack(
      { redis: server, nextcloudRedis: { ...server.options, ...push }, env },
      (stack) => assertWorks(stack, keys),
    );
    keys.disconnect();
  });

  it('stays not ready with a wrong password, and never logs it', async () => {
    const { logger, lines } = captureLogs();
    const env = { REDIS_URL: `redis://${push.username}:wr0ng-pa55@127.0.0.1:${server.port}` };
    await withStack(
      { redis: server, nextcloudRedis: { ...server.options, ...push }, env, logger },
      async (stack) => {
        await sleep(500);
        assert.equal(await readyz(stack), 503);
        const [unreachable] = lines.filter((line) => line.component === 'ingest');
        assert.match(String(unreachable?.reason), /WRONGPASS/);
      },
    );
    assert.doesNotMatch(JSON.stringify(lines), /wr0ng-pa55/);
  });
});

describe('Redis from config.php', () => {
  let server: RedisServerProcess;

  before(async () => {
    server = await startRedisServer();
  });
  after(() => server.stop());

  it('reads the keys from dbindex 5, and prefers notify_push_redis over redis', async () => {
    const deadPort = await freePort();
    const path = configPhp(
      'push-redis',
      `'redis' => ['host' => '127.0.0.1', 'port' => ${deadPort}], 'notify_push_redis' => ['host' => 'localhost', 'port' => ${server.port}, 'dbindex' => 5]`,
    );
    const keys = keyClient({ ...server.options, db: 5 });
    const db0 = keyClient(server.options);
    try {
      await withStack(
        {
          redis: server,
          nextcloudRedis: { ...server.options, db: 5 },
          env: { REDIS_URL: undefined },
          argv: [path],
        },
        async (stack) => {
          assert.deepEqual(stack.config.redis.nodes, [{ host: '127.0.0.1', port: server.port }]);
          await assertWorks(stack, keys);
          assert.equal(await db0.get('notify_push_metrics'), null, 'nothing in database 0');
        },
      );
    } finally {
      keys.disconnect();
      db0.disconnect();
    }
  });
});

describe('Redis Cluster', () => {
  let cluster: RedisClusterProcess;
  let keys: Cluster;
  /** The subscriber connections each node holds. */
  const subscribers = async () =>
    Promise.all(
      cluster.nodes.map(async (node) => {
        const probe = keyClient(node.options);
        try {
          const [, count] = (await probe.pubsub('NUMSUB', 'notify_storage_update')) as [
            string,
            number,
          ];
          return count;
        } catch {
          return 'down';
        } finally {
          probe.disconnect();
        }
      }),
    );

  before(async () => {
    cluster = await startRedisCluster();
    keys = new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })));
  });
  after(async () => {
    keys.disconnect();
    await cluster.stop();
  });

  it('works with config.php redis.cluster seeds', async () => {
    const seeds = cluster.nodes.map((node) => `'localhost:${node.port}'`).join(', ');
    const path = configPhp('cluster', `'redis.cluster' => ['seeds' => [${seeds}]]`);
    const [, , publisher] = cluster.nodes;
    assert.ok(publisher);
    await withStack(
      { redis: publisher, env: { REDIS_URL: undefined }, argv: [path] },
      async (stack) => {
        assert.equal(stack.config.redis.cluster, true);
        await assertWorks(stack, keys);
      },
    );
  });

  it('works with --redis-url twice, and keeps delivering when the subscribed node dies', async () => {
    const [first, second, publisher] = cluster.nodes;
    assert.ok(first && second && publisher);
    const argv = ['--redis-url', first.url, '--redis-url', second.url];
    // The simulated Nextcloud publishes on the third node, which the gateway never subscribes at.
    await withStack({ redis: publisher, env: { REDIS_URL: undefined }, argv }, async (stack) => {
      await assertWorks(stack, keys);
      assert.deepEqual(await subscribers(), [1, 0, 0]);

      await first.kill();
      await until(
        () =>
          stack.gateway.ingest.state === 'subscribed' &&
          stack.gateway.ingest.stats.reconnects === 1,
        'the subscriber to move on',
        10_000,
      );
      assert.deepEqual(await subscribers(), ['down', 1, 0]);
      const client = await connectAuth(stack, alice.uid, alice.password);
      await stack.nextcloud.writeFile(alice.uid, 'files/after.txt', 'still here');
      assert.equal(await client.next(3_000), 'notify_file');
      client.close();
      assert.equal(await readyz(stack), 200);
    });
  });
});
