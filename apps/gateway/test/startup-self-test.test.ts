// The start-up self-test (reference/notify_push.md §5.3) with the real database, Redis and the
// simulated Nextcloud: it passes, warns on a version mismatch, and only logs failures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NextcloudClient, type NextcloudDatabase, openNextcloudDatabase } from '@gw/nextcloud';
import { captureLogs, until } from '@gw/testkit';
import pino from 'pino';
import { RedisCommands } from '../src/redis-commands.js';
import { runStartupSelfTest } from '../src/startup-self-test.js';
import { type Stack, startStack } from './stack.js';

describe('start-up self-test', () => {
  let stack: Stack;
  let redis: RedisCommands;
  let database: NextcloudDatabase;
  const { logger, lines } = captureLogs();

  before(async () => {
    stack = await startStack({ logger });
    database = openNextcloudDatabase(stack.database.url, {
      prefix: 'oc_',
      logger: pino({ level: 'silent' }),
    });
    redis = new RedisCommands({
      redis: { host: '127.0.0.1', port: stack.redis.port },
      logger: pino({ level: 'silent' }),
    });
  });
  after(async () => {
    await redis.close();
    await database.close();
    await stack.close();
  });

  it('passes when the gateway starts next to a matching app, after asking the app for its version', async () => {
    await until(
      () => lines.some((line) => line.component === 'self-test' && line.msg === 'self test passed'),
      'the self test to pass',
    );
    assert.ok(stack.nextcloud.requests.some((r) => r.path.endsWith('/test/version')));
  });

  it('warns when the app reports another version', async () => {
    const capture = captureLogs();
    const nextcloud = new NextcloudClient({ baseUrl: stack.nextcloud.url });
    await runStartupSelfTest({
      database,
      redis,
      nextcloud,
      version: '1.5.0',
      logger: capture.logger,
    });
    await nextcloud.close();
    assert.deepEqual(
      capture.lines.map((line) => [line.level, line.msg]),
      [[40, 'push server (version 1.5.0) is not the same version as the app (version 1.4.0)']],
    );
  });

  it('only logs "Self test failed" when Nextcloud cannot be reached', async () => {
    const capture = captureLogs();
    const nextcloud = new NextcloudClient({ baseUrl: 'http://127.0.0.1:1/' }); // nothing listens on port 1
    await runStartupSelfTest({
      database,
      redis,
      nextcloud,
      version: '1.4.0',
      logger: capture.logger,
    });
    await nextcloud.close();
    assert.equal(capture.lines.length, 1);
    assert.equal(capture.lines[0]?.level, 50);
    assert.match(String(capture.lines[0]?.msg), /^Self test failed: .*ECONNREFUSED/);
  });
});
