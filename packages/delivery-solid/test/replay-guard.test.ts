import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisServerProcess, startRedisCluster, startRedisServer } from '@gw/testkit';
import { Cluster, Redis } from 'ioredis';
import { ioredisSetIfAbsent, MemoryReplayGuard, RedisReplayGuard } from '../src/replay-guard.js';

describe('RedisReplayGuard', () => {
  let redis: RedisServerProcess;
  const clients: Redis[] = [];
  /** A client of its own per replica, as separate gateway processes have. */
  const connect = () => {
    const client = new Redis({ ...redis.options, maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    for (const client of clients) client.disconnect();
    await redis.stop();
  });

  it('accepts a key once, and refuses it from another replica', async () => {
    const first = new RedisReplayGuard({ setIfAbsent: ioredisSetIfAbsent(connect()) });
    const second = new RedisReplayGuard({ setIfAbsent: ioredisSetIfAbsent(connect()) });
    assert.equal(await first.firstUse('jkt:jti-1', 60_000), true);
    assert.equal(await second.firstUse('jkt:jti-1', 60_000), false);
    assert.equal(await first.firstUse('jkt:jti-1', 60_000), false);
    assert.equal(await first.firstUse('jkt:jti-2', 60_000), true);
  });

  it('lets exactly one of many concurrent uses win', async () => {
    const guards = [connect(), connect(), connect()].map(
      (redis) => new RedisReplayGuard({ setIfAbsent: ioredisSetIfAbsent(redis) }),
    );
    const results = await Promise.all(
      guards.flatMap((guard) => [guard.firstUse('race', 60_000), guard.firstUse('race', 60_000)]),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('stores a SHA-256 of the key under the prefix, expiring after the TTL', async () => {
    const client = connect();
    const guard = new RedisReplayGuard({
      setIfAbsent: ioredisSetIfAbsent(client),
      prefix: 'test:jti:',
    });
    const key = `${'x'.repeat(10_000)}:jti`;
    assert.equal(await guard.firstUse(key, 150), true);
    const [stored] = await client.keys('test:jti:*');
    assert.match(stored ?? '', /^test:jti:[\w-]{43}$/);
    const ttl = await client.pttl(stored ?? '');
    assert.ok(ttl > 0 && ttl <= 150, `${ttl} ms`);
    await sleep(200);
    assert.equal(await guard.firstUse(key, 150), true);
  });

  it('rounds a fractional or zero TTL up to what Redis accepts', async () => {
    const guard = new RedisReplayGuard({ setIfAbsent: ioredisSetIfAbsent(connect()) });
    assert.equal(await guard.firstUse('fraction', 0.4), true);
    assert.equal(await guard.firstUse('zero', 0), true);
  });

  it('rejects when Redis cannot answer', async () => {
    const down = new Redis({ port: 1, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => {});
    await assert.rejects(
      new RedisReplayGuard({ setIfAbsent: ioredisSetIfAbsent(down) }).firstUse('down', 1_000),
    );
  });
});

describe('RedisReplayGuard on a Redis Cluster', () => {
  it('accepts each key once, whichever node owns its slot', async () => {
    const cluster = await startRedisCluster();
    const client = new Cluster(
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    );
    try {
      const guard = new RedisReplayGuard({ setIfAbsent: ioredisSetIfAbsent(client) });
      const keys = Array.from({ length: 12 }, (_, i) => `jkt:jti-${i}`);
      for (const key of keys) assert.equal(await guard.firstUse(key, 60_000), true, key);
      for (const key of keys) assert.equal(await guard.firstUse(key, 60_000), false, key);
      const perNode = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
      assert.ok(perNode.filter((size) => size > 0).length > 1, `keys per node: ${perNode}`);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });
});

describe('MemoryReplayGuard', () => {
  const manualClock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('accepts a key once within its TTL, and again after it', async () => {
    const clock = manualClock();
    const guard = new MemoryReplayGuard({ now: clock.now });
    assert.equal(await guard.firstUse('a', 1_000), true);
    clock.advance(999);
    assert.equal(await guard.firstUse('a', 1_000), false);
    clock.advance(1);
    assert.equal(await guard.firstUse('a', 1_000), true);
  });

  it('forgets expired keys first, then the oldest, when full', async () => {
    const clock = manualClock();
    const guard = new MemoryReplayGuard({ maxEntries: 2, now: clock.now });
    await guard.firstUse('a', 1_000);
    await guard.firstUse('b', 10_000);
    clock.advance(1_000);
    // `a` expired: adding `c` drops it and keeps `b`.
    await guard.firstUse('c', 10_000);
    assert.equal(await guard.firstUse('b', 10_000), false);
    // Full of live keys: adding `d` drops the oldest, `b`.
    await guard.firstUse('d', 10_000);
    assert.equal(await guard.firstUse('c', 10_000), false);
    assert.equal(await guard.firstUse('b', 10_000), true);
  });
});
