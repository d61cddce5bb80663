// Bad input from every side (Redis payloads, WebSocket frames, Nextcloud, the database, Redis
// itself): each gets its clear outcome, and the next valid event is still delivered.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWebSocket, until } from '@gw/testkit';
import { connectAuth, type Stack, startStack } from './stack.js';

const users = [
  { uid: 'alice', password: 'alice-pw' },
  { uid: 'bob', password: 'bob-pw' },
];

describe('bad input', () => {
  let stack: Stack;
  let alice: TestWebSocket;

  before(async () => {
    stack = await startStack({
      users,
      legacy: { authTimeoutMs: 500 },
      nextcloudTimeoutMs: 300,
    });
    await stack.nextcloud.addUser({ uid: 'carol', password: 'carol-pw' });
    alice = await connectAuth(stack, 'alice', 'alice-pw');
  });
  after(async () => {
    alice.close();
    await stack.close();
  });

  const stillDelivers = async () => {
    await stack.nextcloud.publish('notify_activity', { user: 'alice' });
    assert.equal(await alice.next(), 'notify_activity');
  };

  it('drops malformed JSON and wrong types on every channel and keeps delivering', async () => {
    const bad: [string, string][] = [
      ['notify_storage_update', '{"storage":1,"path":"files"'],
      ['notify_storage_update', '{"storage":"1","path":"files","file_id":1}'],
      ['notify_storage_update', '{"storage":1,"path":"files"}'],
      ['notify_group_membership_update', '{"user":"alice"}'],
      ['notify_user_share_created', '{"user":["alice"]}'],
      ['notify_activity', 'not json'],
      ['notify_activity', '{"user":null}'],
      ['notify_notification', '[]'],
      ['notify_pre_auth', '{"user":"alice"}'],
      ['notify_custom', '{"user":"alice"}'],
      ['notify_custom', '{"user":"alice","message":7}'],
      ['notify_signal', '"shutdown"'],
      ['notify_signal', '{'],
    ];
    const invalidBefore = stack.gateway.ingest.stats.invalid;
    for (const [channel, payload] of bad) await stack.nextcloud.publish(channel, payload);
    await stillDelivers();
    assert.equal(stack.gateway.ingest.stats.invalid - invalidBefore, bad.length);
    await alice.nothingWithin(100);
  });

  it('ignores channels it does not know', async () => {
    await stack.nextcloud.publish('notify_unknown', { user: 'alice' });
    await stack.nextcloud.publish('notify_activityy', { user: 'alice' });
    await stillDelivers();
    await alice.nothingWithin(100);
  });

  it('refuses a binary frame during the handshake', async () => {
    const client = await TestWebSocket.open(stack.wsUrl);
    client.socket.send(Buffer.from([1, 2, 3]));
    assert.equal(await client.next(), 'err: Invalid authentication message');
    assert.equal(await client.closed, 1008);
    await stillDelivers();
  });

  it('closes a connection whose frame exceeds the size limit', async () => {
    const client = await TestWebSocket.open(stack.wsUrl);
    client.send('x'.repeat(64 * 1024));
    assert.equal(await client.closed, 1009);
    await stillDelivers();
  });

  it('answers garbage credentials with err: Invalid credentials', async () => {
    const client = await TestWebSocket.open(stack.wsUrl);
    client.send('\u0000\u00ff garbage', '{"not":"a password"}');
    assert.equal(await client.next(), 'err: Invalid credentials');
    await stillDelivers();
  });

  it('times out a client that sends nothing', async () => {
    const client = await TestWebSocket.open(stack.wsUrl);
    assert.equal(await client.next(), 'Authentication timeout');
    assert.equal(await client.closed, 1008);
  });

  it("refuses a user's 66th connection while the other 65 keep receiving", async () => {
    const connections = [];
    for (let i = 0; i < 65; i++) connections.push(await connectAuth(stack, 'carol', 'carol-pw'));
    const extra = await TestWebSocket.open(stack.wsUrl);
    extra.send('carol', 'carol-pw');
    assert.equal(await extra.next(), 'err: Connection limit exceeded for user');
    assert.equal(await extra.closed, 1008);
    await stack.nextcloud.publish('notify_notification', { user: 'carol' });
    for (const connection of connections)
      assert.equal(await connection.next(), 'notify_notification');
    for (const connection of connections) connection.close();
  });

  it('reports a failing or hanging Nextcloud as an err: reply, then recovers', async () => {
    const attempt = async () => {
      const client = await TestWebSocket.open(stack.wsUrl);
      client.send('bob', 'bob-pw');
      const reply = await client.next();
      client.close();
      return reply;
    };
    stack.nextcloud.authBehaviour = 'error500';
    assert.equal(
      await attempt(),
      'err: Error while sending authentication request to nextcloud: Server error: 500 Internal Server Error',
    );
    stack.nextcloud.authBehaviour = 'hang';
    const started = Date.now();
    assert.match(
      await attempt(),
      /^err: Error while sending authentication request to nextcloud: Error while connecting to nextcloud: .*timed out/,
    );
    assert.ok(Date.now() - started < 2_000, 'the reply came after the bounded timeout');
    stack.nextcloud.authBehaviour = 'normal';
    assert.equal(await attempt(), 'authenticated');
  });

  it('drops storage updates while the database is down and maps again once it is back', async () => {
    const { rows } = await stack.database.pool.query<{ numeric_id: string }>(
      "SELECT numeric_id FROM oc_storages WHERE id = 'home::alice'",
    );
    const storage = Number(rows[0]?.numeric_id);
    await setDatabaseAvailable(stack, false);
    await stack.nextcloud.publish('notify_storage_update', {
      storage,
      path: 'files/a',
      file_id: 1,
    });
    await until(() => stack.gateway.router.stats.mappingFailures > 0);
    await stillDelivers();
    await setDatabaseAvailable(stack, true);
    await stack.nextcloud.publish('notify_storage_update', {
      storage,
      path: 'files/a',
      file_id: 1,
    });
    assert.equal(await alice.next(), 'notify_file');
  });

  it('keeps clients connected through a Redis restart and delivers afterwards', async () => {
    await stack.redis.kill();
    await until(() => stack.gateway.ingest.state !== 'subscribed');
    await stack.redis.start();
    await until(() => stack.gateway.ingest.state === 'subscribed', 'resubscription', 10_000);
    await stillDelivers();
  });
});

/** Takes the gateway's database away the way an outage does: new connections refused, old ones cut. */
async function setDatabaseAvailable(stack: Stack, available: boolean) {
  const name = stack.database.name;
  await stack.database.adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${available}`);
  if (!available) {
    await stack.database.adminQuery(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
    );
  }
}
