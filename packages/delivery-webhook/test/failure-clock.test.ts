import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RedisServerProcess, startRedisServer } from '@gw/testkit';
import { Redis } from 'ioredis';
import { FailureClock } from '../src/failure-clock.js';
import { testPrefix } from './queue-fixtures.js';

const URL_A = 'https://a.example/hook?token=s3cret';
const URL_B = 'https://a.example/other';
const DAY = 86_400_000;

describe('FailureClock', () => {
  let redis: RedisServerProcess;
  let client: Redis;
  const clock = (keyPrefix = `${testPrefix()}:webhooks:`) =>
    new FailureClock({ redis: client, keyPrefix, disableAfterMs: 5 * DAY });

  before(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.options);
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('runs out once a URL has failed for longer than the period since its first failure', async () => {
    const c = clock();
    assert.equal(await c.failed(URL_A, 0), false);
    assert.equal(await c.failed(URL_A, 3 * DAY), false);
    assert.equal(await c.failed(URL_A, 5 * DAY), false);
    assert.equal(await c.failed(URL_A, 5 * DAY + 1), true);
    // It restarted: a URL still failing needs another full period.
    assert.equal(await c.failed(URL_A, 5 * DAY + 2), false);
    assert.equal(await c.failed(URL_A, 9 * DAY), false);
  });

  it('starts again after any success', async () => {
    const c = clock();
    await c.failed(URL_A, 0);
    await c.succeeded(URL_A);
    assert.equal(await c.failed(URL_A, 4 * DAY), false);
    assert.equal(await c.failed(URL_A, 6 * DAY), false);
    assert.equal(await c.failed(URL_A, 9 * DAY + 1), true);
  });

  it('deletes the clock of a URL that keeps succeeding at most once a second', async () => {
    const keyPrefix = `${testPrefix()}:webhooks:`;
    const [here, elsewhere] = [clock(keyPrefix), clock(keyPrefix)];
    await here.succeeded(URL_A, 1_000);
    await elsewhere.failed(URL_A, 1_100);
    await here.succeeded(URL_A, 1_500);
    assert.equal((await client.keys(`${keyPrefix}failing:*`)).length, 1, 'kept within the second');
    await here.succeeded(URL_A, 2_000);
    assert.equal((await client.keys(`${keyPrefix}failing:*`)).length, 0, 'deleted after it');
  });

  it('keeps each URL apart', async () => {
    const c = clock();
    await c.failed(URL_A, 0);
    assert.equal(await c.failed(URL_B, 6 * DAY), false);
    assert.equal(await c.failed(URL_A, 6 * DAY), true);
  });

  it('runs out for one caller only when replicas fail the URL at once', async () => {
    const keyPrefix = `${testPrefix()}:webhooks:`;
    const replicas = [clock(keyPrefix), clock(keyPrefix), clock(keyPrefix)];
    await replicas[0]?.failed(URL_A, 0);
    const results = await Promise.all(replicas.map((c) => c.failed(URL_A, 6 * DAY)));
    assert.deepEqual(
      results.filter((x) => x),
      [true],
    );
  });

  it('forgets failures after twice the period, under the prefix, without the URL in the key', async () => {
    const keyPrefix = `${testPrefix()}:webhooks:`;
    await clock(keyPrefix).failed(URL_A, 0);
    const [key, ...others] = await client.keys(`${keyPrefix}*`);
    assert.deepEqual(others, []);
    assert.ok(key?.startsWith(`${keyPrefix}failing:`));
    assert.ok(!key?.includes('s3cret'));
    const ttl = await client.pttl(key ?? '');
    assert.ok(ttl > 10 * DAY - 60_000 && ttl <= 10 * DAY, `TTL ${ttl}`);
  });
});
