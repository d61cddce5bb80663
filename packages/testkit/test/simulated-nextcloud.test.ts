import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  InvalidInputError,
  SimulatedNextcloud,
  UnknownUserError,
  UserExistsError,
} from '../src/index.js';
import { filecacheRow, type Harness, homeStorage, startHarness } from './harness.js';

describe('SimulatedNextcloud', () => {
  let harness: Harness;

  before(async () => {
    harness = await startHarness({ users: [{ uid: 'alice', password: 'pw' }] });
  });
  after(() => harness.close());

  it('addUser creates the home storage, its root and files entries and the home mount', async () => {
    await harness.nextcloud.addUser({ uid: 'bob', password: 'pw' });
    const storage = await homeStorage(harness, 'bob');
    assert.ok(storage > 0);
    const root = await filecacheRow(harness, 'bob', '');
    const files = await filecacheRow(harness, 'bob', 'files');
    assert.equal(root?.parent, -1);
    assert.equal(root?.mimetype, 'httpd/unix-directory');
    assert.equal(files?.parent, root?.fileid);
    assert.equal(files?.name, 'files');
    const { rows } = await harness.database.pool.query(
      `SELECT storage_id::int, root_id::int, mount_point, mount_point_hash, mount_provider_class
         FROM ${harness.database.prefix}mounts WHERE user_id = 'bob'`,
    );
    assert.deepEqual(rows, [
      {
        storage_id: storage,
        root_id: root?.fileid,
        mount_point: '/bob/',
        // hash('xxh128', '/bob/')
        mount_point_hash: 'a66ff6c3f77ab3b36ccfbc0967a25ff2',
        mount_provider_class: 'OC\\Files\\Mount\\LocalHomeMountProvider',
      },
    ]);
    assert.deepEqual(await harness.drain(), [], 'setting up a home publishes nothing');
  });

  it('refuses a taken or invalid user id', async () => {
    await assert.rejects(
      harness.nextcloud.addUser({ uid: 'alice', password: 'x' }),
      UserExistsError,
    );
    await assert.rejects(
      harness.nextcloud.addUser({ uid: 'a/b', password: 'x' }),
      InvalidInputError,
    );
    await assert.rejects(harness.nextcloud.addUser({ uid: '', password: 'x' }), InvalidInputError);
  });

  it('publishes group membership changes with the activity that follows them, once', async () => {
    await harness.nextcloud.addToGroup('alice', 'staff');
    await harness.nextcloud.addToGroup('alice', 'staff');
    await harness.nextcloud.removeFromGroup('alice', 'staff');
    await harness.nextcloud.removeFromGroup('alice', 'staff');
    const membership = {
      channel: 'notify_group_membership_update',
      message: '{"user":"alice","group":"staff"}',
    };
    const activity = { channel: 'notify_activity', message: '{"user":"alice"}' };
    assert.deepEqual(await harness.drain(), [membership, activity, membership, activity]);
  });

  it('keeps group membership in oc_groups and oc_group_user', async () => {
    await harness.nextcloud.addToGroup('alice', 'admins');
    const p = harness.database.prefix;
    const groups = await harness.database.pool.query(`SELECT gid FROM ${p}groups ORDER BY gid`);
    assert.deepEqual(groups.rows, [{ gid: 'admins' }, { gid: 'staff' }]);
    const members = await harness.database.pool.query(`SELECT gid, uid FROM ${p}group_user`);
    assert.deepEqual(members.rows, [{ gid: 'admins', uid: 'alice' }]);
    await assert.rejects(harness.nextcloud.addToGroup('nobody', 'admins'), UnknownUserError);
    await assert.rejects(harness.nextcloud.addToGroup('alice', ''), InvalidInputError);
    await harness.drain();
  });

  it('publishes activities, notifications and custom messages with and without a body', async () => {
    await harness.nextcloud.activity('alice');
    await harness.nextcloud.notification('alice');
    await harness.nextcloud.custom('alice', 'my_message');
    await harness.nextcloud.custom('alice', 'my_message', { url: 'https://x/y', n: [1, null] });
    assert.deepEqual(await harness.drain(), [
      { channel: 'notify_activity', message: '{"user":"alice"}' },
      { channel: 'notify_notification', message: '{"user":"alice"}' },
      { channel: 'notify_custom', message: '{"user":"alice","message":"my_message"}' },
      {
        channel: 'notify_custom',
        message:
          '{"user":"alice","message":"my_message","body":{"url":"https:\\/\\/x\\/y","n":[1,null]}}',
      },
    ]);
  });

  it('publish sends strings verbatim and encodes anything else as PHP does', async () => {
    await harness.nextcloud.publish('notify_activity', '{"user":');
    await harness.nextcloud.publish('notify_test_cookie', 12);
    await harness.nextcloud.publish('notify_query', ['metrics']);
    assert.deepEqual(await harness.drain(), [
      { channel: 'notify_activity', message: '{"user":' },
      { channel: 'notify_test_cookie', message: '12' },
      { channel: 'notify_query', message: '["metrics"]' },
    ]);
  });

  it('prepareSelfTest sets test-token, stores the cookie and publishes it', async () => {
    const { token, cookie } = await harness.nextcloud.prepareSelfTest();
    assert.match(token, /^[A-Za-z0-9+/]{32}$/);
    assert.ok(cookie >= 1 && cookie <= 2 ** 30);
    assert.equal(await harness.client.get('test-token'), token);
    const { rows } = await harness.database.pool.query(
      `SELECT configvalue FROM ${harness.database.prefix}appconfig
        WHERE appid = 'notify_push' AND configkey = 'cookie'`,
    );
    assert.deepEqual(rows, [{ configvalue: String(cookie) }]);
    assert.deepEqual(await harness.drain(), [
      { channel: 'notify_test_cookie', message: String(cookie) },
    ]);
  });

  it('close stops the HTTP server and leaves no Redis connection behind', async () => {
    const clients = async () =>
      String(await harness.client.call('CLIENT', 'LIST'))
        .trim()
        .split('\n').length;
    const before = await clients();
    const second = await SimulatedNextcloud.start({
      database: { pool: harness.database.pool, prefix: harness.database.prefix },
      redis: harness.redis.url,
    });
    assert.equal(await clients(), before + 1);
    assert.equal((await fetch(`${second.url}index.php/apps/notify_push/uid`)).status, 401);
    await second.close();
    assert.equal(await clients(), before);
    await assert.rejects(fetch(`${second.url}index.php/apps/notify_push/uid`));
  });

  it('start fails cleanly when Redis does not answer', async () => {
    await assert.rejects(
      SimulatedNextcloud.start({
        database: { pool: harness.database.pool, prefix: harness.database.prefix },
        redis: 'redis://127.0.0.1:1',
      }),
    );
  });
});
