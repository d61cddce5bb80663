import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type RedisClusterProcess,
  type RedisServerProcess,
  startRedisCluster,
  startRedisServer,
  until,
} from '@gw/testkit';
import { Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import pino from 'pino';
import type { RedisClusterTarget } from '../src/queue-connection.js';
import { WebhookQueue, type WebhookQueueOptions } from '../src/webhook-queue.js';
import { WebhookWorker } from '../src/webhook-worker.js';
import { testMessage, testPrefix } from './queue-fixtures.js';

const silent = pino({ level: 'silent' });

describe('WebhookQueue', () => {
  let redis: RedisServerProcess;
  let client: Redis;
  const closers: (() => Promise<void>)[] = [];

  const open = (overrides: Partial<WebhookQueueOptions> = {}) => {
    const queue = new WebhookQueue({ redis: redis.options, logger: silent, ...overrides });
    closers.push(() => queue.close());
    return queue;
  };
  /** BullMQ's own view of the same queue, to read jobs back. */
  const inspect = (prefix: string) => {
    const queue = new Queue('webhooks', { connection: { port: redis.port }, prefix });
    closers.push(() => queue.close());
    return queue;
  };

  before(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.options);
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    client.disconnect();
    await redis.stop();
  });

  it('adds a job keyed by the message id, with the attempts and retention of the schedule', async () => {
    const prefix = testPrefix();
    const queue = open({ prefix, retry: { delaysMs: [50, 100, 200] } });
    const message = testMessage();
    assert.equal(await queue.enqueue(message), true);
    const job = await inspect(prefix).getJob(message.id);
    assert.deepEqual(job?.data, message);
    assert.equal(job?.opts.attempts, 4);
    assert.deepEqual(job?.opts.removeOnComplete, { age: 3_600 });
    assert.deepEqual(job?.opts.removeOnFail, { age: 604_800 });
  });

  it('gives a job 8 attempts by default, and takes other retention periods', async () => {
    const prefix = testPrefix();
    const queue = open({ prefix, keepCompletedMs: 60_000, keepFailedMs: 3_600_000 });
    const message = testMessage();
    await queue.enqueue(message);
    const job = await inspect(prefix).getJob(message.id);
    assert.equal(job?.opts.attempts, 8);
    assert.deepEqual(job?.opts.removeOnComplete, { age: 60 });
    assert.deepEqual(job?.opts.removeOnFail, { age: 3_600 });
  });

  it('adds one job when replicas enqueue the same message at once, and says which added it', async () => {
    const prefix = testPrefix();
    const replicas = [open({ prefix }), open({ prefix }), open({ prefix })];
    const message = testMessage();
    const added = await Promise.all(replicas.map((queue) => queue.enqueue(message)));
    assert.deepEqual(
      added.filter((x) => x),
      [true],
    );
    assert.equal(await replicas[0]?.enqueue(message), false);
    assert.deepEqual(await replicas[1]?.counts(), {
      waiting: 1,
      delayed: 0,
      active: 0,
      failed: 0,
      completed: 0,
    });
  });

  it('refuses ids BullMQ or the webhook-id header cannot take', async () => {
    const queue = open({ prefix: testPrefix() });
    for (const id of ['a:b', '12345', '0042', '-5', 'a.b', 'a b', '']) {
      await assert.rejects(queue.enqueue(testMessage({ id })), TypeError, id);
    }
    assert.equal(await queue.enqueue(testMessage({ id: 'evt_0042-x' })), true);
  });

  it('keeps every key of the queue under its hash-tagged prefix', async () => {
    const prefix = testPrefix();
    await open({ prefix }).enqueue(testMessage());
    const keys = await client.keys(`*${prefix.slice(1, -1)}*`);
    assert.ok(keys.length > 0);
    for (const key of keys) assert.ok(key.startsWith(`${prefix}:webhooks:`), key);
    assert.throws(() => open({ prefix: 'gw-webhooks' }), /hash tag/);
    assert.throws(() => open({ prefix: '{}x' }), /hash tag/);
    assert.throws(() => open({ name: 'a:b' }), /queue name/);
  });

  it('fails fast while Redis is down, and enqueues again once it is back', async () => {
    const queue = open({ prefix: testPrefix() });
    await queue.enqueue(testMessage());
    await redis.stop();
    try {
      const started = Date.now();
      await assert.rejects(queue.enqueue(testMessage()));
      assert.ok(Date.now() - started < 1_000, 'enqueue hung while Redis was down');
    } finally {
      await redis.start();
    }
    await until(() => client.status === 'ready', 'the test client to reconnect', 10_000);
    let enqueued = false;
    const deadline = Date.now() + 10_000;
    while (!enqueued && Date.now() < deadline) {
      enqueued = await queue.enqueue(testMessage()).catch(() => false);
      if (!enqueued) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(enqueued, 'enqueue did not recover');
  });
});

describe('WebhookQueue on a Redis Cluster', () => {
  let cluster: RedisClusterProcess;
  let target: RedisClusterTarget;

  before(async () => {
    cluster = await startRedisCluster();
    target = {
      seeds: cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      nodeOptions: {},
    };
  });
  after(() => cluster.stop());

  it('delivers through one slot: the hash tag keeps BullMQ scripts off CROSSSLOT', async () => {
    const prefix = testPrefix();
    const queue = new WebhookQueue({ redis: target, prefix, logger: silent });
    const delivered: string[] = [];
    const worker = new WebhookWorker({
      redis: target,
      prefix,
      logger: silent,
      attempt: async (message) => {
        delivered.push(message.id);
        return { kind: 'delivered', status: 204 };
      },
      hooks: { isActive: () => true, onGone: () => {}, onDisabled: () => {} },
    });
    try {
      const messages = [testMessage(), testMessage(), testMessage()];
      for (const message of messages) assert.equal(await queue.enqueue(message), true);
      await until(() => delivered.length === 3, 'three deliveries', 10_000);
      assert.deepEqual(delivered.sort(), messages.map((message) => message.id).sort());
      const inspector = new Cluster(target.seeds);
      try {
        await new Promise((resolve) => inspector.once('ready', resolve));
        const slots = new Set<number>();
        for (const node of inspector.nodes('master')) {
          for (const key of await node.keys(`${prefix}*`)) {
            slots.add(Number(await inspector.cluster('KEYSLOT', key)));
          }
        }
        assert.equal(slots.size, 1);
      } finally {
        inspector.disconnect();
      }
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
