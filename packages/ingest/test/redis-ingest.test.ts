import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NOTIFY_CHANNELS, type NotifyChannel, type NotifyEvent } from '@gw/events';
import {
  captureLogs,
  freePort,
  type LogLine,
  type RedisServerProcess,
  startRedisServer,
  until,
} from '@gw/testkit';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { RedisIngest, type RedisIngestOptions } from '../src/index.js';

/** One valid message per channel, as Nextcloud's PHP publishes them. */
const VALID: Record<NotifyChannel, { raw: string; payload: unknown }> = {
  notify_storage_update: {
    raw: '{"storage":12,"path":"files\\/docs\\/a.txt","file_id":345}',
    payload: { storage: 12, path: 'files/docs/a.txt', file_id: 345 },
  },
  notify_group_membership_update: {
    raw: '{"user":"alice","group":"admins"}',
    payload: { user: 'alice', group: 'admins' },
  },
  notify_user_share_created: { raw: '{"user":"bob"}', payload: { user: 'bob' } },
  notify_activity: { raw: '{"user":"carol"}', payload: { user: 'carol' } },
  notify_notification: { raw: '{"user":"d\\u00e4ve"}', payload: { user: 'däve' } },
  notify_pre_auth: {
    raw: '{"user":"erin","token":"abc+/def"}',
    payload: { user: 'erin', token: 'abc+/def' },
  },
  notify_custom: {
    raw: '{"user":"frank","message":"app_event","body":{"n":1}}',
    payload: { user: 'frank', message: 'app_event', body: { n: 1 } },
  },
  notify_test_cookie: { raw: '123456', payload: 123456 },
  notify_config: { raw: '{"log_spec":"debug"}', payload: { log_spec: 'debug' } },
  notify_query: { raw: '"metrics"', payload: 'metrics' },
  notify_signal: { raw: '"reset"', payload: 'reset' },
  notify_gateway_channels: {
    raw: '{"origin":"r1","op":"remove","id":"x"}',
    payload: { origin: 'r1', op: 'remove', id: 'x' },
  },
};

const messages = (lines: LogLine[], msg: string) => lines.filter((line) => line.msg === msg);

describe('RedisIngest', () => {
  let redis: RedisServerProcess;
  let publisher: Redis;
  const ingests: RedisIngest[] = [];

  /** An ingest on the private server, collecting events; shrunk timings keep the tests fast. */
  const subscribe = (
    overrides: Partial<RedisIngestOptions> & { logger?: Logger } = {},
  ): { ingest: RedisIngest; events: NotifyEvent[] } => {
    const events: NotifyEvent[] = [];
    const ingest = new RedisIngest({
      nodes: [{ host: '127.0.0.1', port: redis.port }],
      channels: NOTIFY_CHANNELS,
      onEvent: (event) => events.push(event),
      logger: pino({ level: 'silent' }),
      reconnectMinDelayMs: 20,
      reconnectMaxDelayMs: 200,
      ...overrides,
    });
    ingests.push(ingest);
    return { ingest, events };
  };
  const connectPublisher = async () => {
    publisher?.disconnect();
    publisher = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
    publisher.on('error', () => {});
    await publisher.connect();
  };

  before(async () => {
    redis = await startRedisServer();
    await connectPublisher();
  });
  after(async () => {
    await Promise.all(ingests.map((ingest) => ingest.close()));
    publisher.disconnect();
    await redis.stop();
  });

  it('delivers a decoded event for each of the 12 channels (11 of Nextcloud, 1 of the gateway), in order', async () => {
    const { ingest, events } = subscribe();
    await ingest.start();
    assert.equal(ingest.state, 'subscribed');
    for (const channel of NOTIFY_CHANNELS) await publisher.publish(channel, VALID[channel].raw);
    await until(() => events.length === NOTIFY_CHANNELS.length, 'all events');
    assert.deepEqual(
      events,
      NOTIFY_CHANNELS.map((channel) => ({ channel, payload: VALID[channel].payload })),
    );
    assert.deepEqual(ingest.stats, { received: NOTIFY_CHANNELS.length, invalid: 0, reconnects: 0 });
    await ingest.close();
    assert.equal(ingest.state, 'closed');
  });

  it('passes the time of receipt along with each event', async () => {
    const received: number[] = [];
    const { ingest } = subscribe({ onEvent: (_event, receivedAt) => received.push(receivedAt) });
    await ingest.start();
    const before = Date.now();
    await publisher.publish('notify_activity', VALID.notify_activity.raw);
    await until(() => received.length === 1, 'the event');
    assert.ok((received[0] ?? 0) >= before && (received[0] ?? 0) <= Date.now());
    await ingest.close();
  });

  it('counts and logs malformed messages, then keeps delivering', async () => {
    const { logger, lines } = captureLogs();
    const { ingest, events } = subscribe({ logger });
    await ingest.start();
    const huge = `{"user": "${'x'.repeat(10_000)}`;
    await publisher.publish('notify_activity', '{"user":');
    await publisher.publish('notify_storage_update', '{"storage":"12","path":"a","file_id":1}');
    await publisher.publish('notify_notification', huge);
    await publisher.publish('notify_pre_auth', '{"user":"erin","token":42,"secret":"s3cret"}');
    await publisher.publish('notify_activity', VALID.notify_activity.raw);
    await until(() => events.length === 1, 'the valid event');
    assert.deepEqual(events, [{ channel: 'notify_activity', payload: { user: 'carol' } }]);
    assert.deepEqual(ingest.stats, { received: 5, invalid: 4, reconnects: 0 });

    const warnings = messages(lines, 'dropping invalid Redis message');
    assert.deepEqual(
      warnings.map((line) => line.channel),
      ['notify_activity', 'notify_storage_update', 'notify_notification', 'notify_pre_auth'],
    );
    assert.match(String(warnings[0]?.reason), /not valid JSON/);
    assert.match(String(warnings[1]?.reason), /storage/);
    assert.ok(String(warnings[2]?.payload).length < 300, 'a huge payload is truncated');
    assert.ok(String(warnings[2]?.payload).endsWith(`… (${huge.length} chars)`));
    assert.ok(!JSON.stringify(lines).includes('s3cret'), 'a pre-auth payload is never logged');
    await ingest.close();
  });

  it('logs a throwing event handler and carries on', async () => {
    const { logger, lines } = captureLogs();
    const seen: NotifyEvent[] = [];
    const { ingest } = subscribe({
      logger,
      onEvent: (event) => {
        seen.push(event);
        if (seen.length === 1) throw new Error('handler bug');
      },
    });
    await ingest.start();
    await publisher.publish('notify_activity', VALID.notify_activity.raw);
    await publisher.publish('notify_notification', VALID.notify_notification.raw);
    await until(() => seen.length === 2, 'both events');
    assert.equal(messages(lines, 'event handler failed').length, 1);
    await ingest.close();
  });

  it('logs one line when Redis dies and one when it is back, resubscribed to every channel', async () => {
    const { logger, lines } = captureLogs();
    let subscriptions = 0;
    const { ingest, events } = subscribe({ logger, onSubscribed: () => subscriptions++ });
    await ingest.start();
    assert.equal(subscriptions, 1, 'told once subscribed at start-up');
    await redis.kill();
    await until(() => ingest.state === 'down', 'the drop');
    await sleep(300); // several failed reconnect attempts
    await redis.start();
    await until(() => ingest.state === 'subscribed', 'the recovery');
    await connectPublisher();
    assert.deepEqual(
      await publisher.pubsub('NUMSUB', ...NOTIFY_CHANNELS),
      NOTIFY_CHANNELS.flatMap((channel) => [channel, 1]),
    );
    await publisher.publish('notify_custom', VALID.notify_custom.raw);
    await until(() => events.length === 1, 'the event after the restart');
    assert.deepEqual(events[0], { channel: 'notify_custom', payload: VALID.notify_custom.payload });

    const warnings = lines.filter((line) => line.level === 40);
    assert.deepEqual(
      warnings.map((line) => line.msg),
      ['Redis link lost, reconnecting'],
    );
    assert.equal(messages(lines, 'Redis link restored, subscribed to 12 channels').length, 1);
    assert.equal(ingest.stats.reconnects, 1);
    assert.equal(subscriptions, 2, 'told again once resubscribed, to catch up on what it missed');
    await ingest.close();
  });

  it('starts while Redis is down, then subscribes once it comes up', async () => {
    const { logger, lines } = captureLogs();
    await redis.stop();
    const { ingest, events } = subscribe({ logger, channels: ['notify_activity'] });
    try {
      await ingest.start();
      assert.equal(ingest.state, 'down');
      const [unreachable] = messages(lines, 'Redis unreachable, retrying in the background');
      assert.match(String(unreachable?.reason), /ECONNREFUSED/);
    } finally {
      await redis.start();
    }
    await until(() => ingest.state === 'subscribed', 'the first subscription');
    assert.equal(messages(lines, 'Redis link restored, subscribed to 1 channels').length, 1);
    await connectPublisher();
    await publisher.publish('notify_activity', VALID.notify_activity.raw);
    await until(() => events.length === 1, 'the event');
    await ingest.close();
  });

  it('treats a missing PONG as a dead link and reconnects', async () => {
    const { logger, lines } = captureLogs();
    const { ingest, events } = subscribe({
      logger,
      keepaliveIntervalMs: 50,
      keepaliveTimeoutMs: 100,
    });
    await ingest.start();
    await publisher.call('CLIENT', 'PAUSE', '500', 'ALL');
    await until(() => ingest.state === 'down', 'the keepalive timeout');
    const [lost] = messages(lines, 'Redis link lost, reconnecting');
    assert.equal(lost?.reason, 'no PONG within 100 ms');
    await until(() => ingest.state === 'subscribed', 'the recovery');
    await publisher.publish('notify_activity', VALID.notify_activity.raw);
    await until(() => events.length === 1, 'the event after the recovery');
    assert.equal(ingest.stats.reconnects, 1);
    await ingest.close();
  });

  it('gives up on a connection attempt that does not end subscribed in time', async () => {
    const { logger, lines } = captureLogs();
    const { ingest, events } = subscribe({ logger, keepaliveTimeoutMs: 100 });
    await publisher.call('CLIENT', 'PAUSE', '500', 'ALL');
    const started = Date.now();
    await ingest.start();
    assert.ok(Date.now() - started < 400, 'start() did not wait for the paused server');
    assert.equal(ingest.state, 'down');
    const [unreachable] = messages(lines, 'Redis unreachable, retrying in the background');
    assert.equal(unreachable?.reason, 'no subscription within 100 ms');
    await until(() => ingest.state === 'subscribed', 'the subscription after the pause');
    await publisher.publish('notify_activity', VALID.notify_activity.raw);
    await until(() => events.length === 1, 'the event');
    await ingest.close();
  });

  it('keeps a quiet healthy link up with keepalive PINGs', async () => {
    const { ingest } = subscribe({ keepaliveIntervalMs: 20, keepaliveTimeoutMs: 100 });
    await ingest.start();
    await sleep(300);
    assert.equal(ingest.state, 'subscribed');
    assert.equal(ingest.stats.reconnects, 0);
    await ingest.close();
  });

  it('takes the next node on every attempt, so a dead node does not stop delivery', async () => {
    const { logger, lines } = captureLogs();
    const other = await startRedisServer();
    const dead = { host: '127.0.0.1', port: await freePort() };
    const second = { host: '127.0.0.1', port: other.port };
    const third = { host: '127.0.0.1', port: redis.port };
    const { ingest, events } = subscribe({ logger, nodes: [dead, second, third] });
    const probe = new Redis({ ...second, lazyConnect: true });
    try {
      await ingest.start();
      assert.equal(ingest.state, 'down', 'the first node is dead');
      await until(() => ingest.state === 'subscribed', 'a subscription at the second node');
      await probe.connect();
      assert.deepEqual(await probe.pubsub('NUMSUB', 'notify_activity'), ['notify_activity', 1]);
      probe.disconnect();

      await other.kill();
      await until(() => ingest.state === 'down', 'the loss of the second node');
      await until(() => ingest.state === 'subscribed', 'a subscription at the third node');
      await publisher.publish('notify_activity', VALID.notify_activity.raw);
      await until(() => events.length === 1, 'the event through the third node');

      const node = (msg: string) => messages(lines, msg).map((line) => line.node);
      const address = ({ host, port }: { host: string; port: number }) => `${host}:${port}`;
      assert.deepEqual(node('Redis unreachable, retrying in the background'), [address(dead)]);
      assert.deepEqual(node('Redis link lost, reconnecting'), [address(second)]);
      assert.deepEqual(node('Redis link restored, subscribed to 12 channels'), [
        address(second),
        address(third),
      ]);
    } finally {
      probe.disconnect();
      await ingest.close();
      await other.stop();
    }
  });

  it('closes cleanly while reconnecting', async () => {
    const { ingest } = subscribe({ nodes: [{ host: '127.0.0.1', port: 1 }] });
    await ingest.start();
    assert.equal(ingest.state, 'down');
    await ingest.close();
    assert.equal(ingest.state, 'closed');
  });

  it('sustains more than 20,000 messages per second', async () => {
    let count = 0;
    const { ingest } = subscribe({ onEvent: () => count++ });
    await ingest.start();
    const total = 50_000;
    const raw = VALID.notify_storage_update.raw;
    const started = performance.now();
    const pipeline = publisher.pipeline();
    for (let i = 0; i < total; i++) pipeline.publish('notify_storage_update', raw);
    await pipeline.exec();
    await until(() => count === total, 'every message', 10_000);
    const perSecond = total / ((performance.now() - started) / 1000);
    assert.ok(perSecond > 20_000, `${Math.round(perSecond)} messages/s`);
    await ingest.close();
  });

  it('refuses unknown or no channels', () => {
    const options = {
      nodes: [{}],
      onEvent: () => {},
      logger: pino({ level: 'silent' }),
    };
    assert.throws(
      () => new RedisIngest({ ...options, channels: ['notify_nope' as NotifyChannel] }),
      /unknown channel "notify_nope"/,
    );
    assert.throws(() => new RedisIngest({ ...options, channels: [] }), /no channels/);
    assert.throws(
      () => new RedisIngest({ ...options, nodes: [], channels: ['notify_activity'] }),
      /no Redis nodes/,
    );
  });
});
