// The control channels (reference/notify_push.md §3.2) through a running gateway: the self-test
// cookie, the run-time log level of `occ notify_push:log`, the metrics of `occ notify_push:metrics`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureLogs, type LogLine, until } from '@gw/testkit';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { connectAuth, type Stack, startStack } from './stack.js';

const METRIC_FIELDS = [
  'active_connection_count',
  'active_user_count',
  'total_connection_count',
  'mapping_query_count',
  'events_received',
  'messages_sent',
  'messages_sent_file',
  'messages_sent_activity',
  'messages_sent_notification',
  'messages_sent_custom',
];

describe('control channels', () => {
  let stack: Stack;
  let redis: Redis;
  let logger: Logger;
  let lines: LogLine[];
  let token: string;

  /** The cookie this gateway reports; control events are handled in order, so it marks progress. */
  const testCookie = async () => {
    const response = await fetch(`${stack.gateway.url}/test/cookie`, { headers: { token } });
    return response.text();
  };
  const settle = async (cookie: number) => {
    await stack.nextcloud.publish('notify_test_cookie', cookie);
    for (let i = 0; i < 200 && (await testCookie()) !== String(cookie); i++) await sleep(10);
    assert.equal(await testCookie(), String(cookie));
  };

  before(async () => {
    ({ logger, lines } = captureLogs());
    logger.level = 'warn';
    stack = await startStack({ users: [{ uid: 'alice', password: 'alice-pw' }], logger });
    redis = new Redis(stack.redis.url);
    ({ token } = await stack.nextcloud.prepareSelfTest());
  });
  after(async () => {
    redis.disconnect();
    await stack.close();
  });

  it('keeps the last notify_test_cookie for /test/cookie', async () => {
    await settle(7);
    await settle(123_456);
  });

  it('raises and restores the log level at run time, every component following', async () => {
    await stack.nextcloud.publish('notify_config', { log_spec: 'notify_push=debug' });
    await until(() => logger.level === 'debug', 'the debug level');
    await stack.nextcloud.publish('notify_config', { log_spec: 'error' });
    await until(() => logger.level === 'error', 'the error level');
    await stack.nextcloud.publish('notify_config', { log_spec: 'notify_push=trace,warn' });
    await until(() => logger.level === 'trace', 'the trace level');
    assert.ok(
      lines.some((line) => line.component === 'control' && line.msg === 'log level changed'),
      'a child logger logs at info once the root is raised',
    );
    for (const expected of ['error', 'debug', 'warn', 'warn']) {
      await stack.nextcloud.publish('notify_config', '"log_restore"');
      await until(() => logger.level === expected, `the ${expected} level`);
    }
  });

  it('stores the metrics as JSON in notify_push_metrics on notify_query "metrics"', async () => {
    const alice = await connectAuth(stack, 'alice', 'alice-pw');
    await stack.nextcloud.activity('alice');
    assert.equal(await alice.next(), 'notify_activity');
    await redis.del('notify_push_metrics');
    await stack.nextcloud.publish('notify_query', '"metrics"');
    let raw: string | null = null;
    for (let i = 0; i < 200 && raw === null; i++) {
      raw = await redis.get('notify_push_metrics');
      if (raw === null) await sleep(10);
    }
    assert.ok(raw !== null, 'the metrics key was set');
    const metrics = JSON.parse(raw) as Record<string, unknown>;
    assert.deepEqual(Object.keys(metrics).sort(), [...METRIC_FIELDS].sort());
    assert.equal(metrics.active_connection_count, 1);
    assert.equal(metrics.active_user_count, 1);
    assert.equal(metrics.total_connection_count, 1);
    assert.equal(metrics.messages_sent_activity, 1);
    assert.equal(metrics.messages_sent, 1);
    assert.ok((metrics.events_received as number) > 0);
    alice.close();
  });

  it('changes nothing on malformed notify_config, notify_query and notify_test_cookie payloads', async () => {
    await settle(99);
    await redis.del('notify_push_metrics');
    const levelBefore = logger.level;
    const bad: [string, string][] = [
      ['notify_config', '{"log_spec":5}'],
      ['notify_config', '{}'],
      ['notify_config', '"restore"'],
      ['notify_config', '{"log_spec":"notify_push=loud"}'],
      ['notify_config', '{"log_spec":"/regex/"}'],
      ['notify_config', 'log_restore'],
      ['notify_query', '"stats"'],
      ['notify_query', '{"query":"metrics"}'],
      ['notify_query', 'metrics'],
      ['notify_test_cookie', '-1'],
      ['notify_test_cookie', '"12"'],
      ['notify_test_cookie', '4294967296'],
      ['notify_test_cookie', '1.5'],
    ];
    for (const [channel, payload] of bad) await stack.nextcloud.publish(channel, payload);
    await settle(100);
    assert.equal(logger.level, levelBefore);
    assert.equal(await redis.get('notify_push_metrics'), null);
    assert.ok(
      lines.some((line) => line.msg === 'ignoring an invalid log spec'),
      'the invalid spec was reported',
    );
  });
});
